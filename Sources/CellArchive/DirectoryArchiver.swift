#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// Writes a directory tree into a TarWriter, the same tree always giving the same bytes:
/// names sorted bytewise, numeric owners only, no atime/ctime, optional mtime clamp.
/// Ownership, modes, xattrs, symlinks and hardlinks (found by inode) are kept.
public struct DirectoryArchiver: Sendable {
    /// For an overlay upperdir: a 0/0 character device becomes `.wh.<name>`, and a directory
    /// with trusted.overlay.opaque=y gets a `.wh..wh..opq` entry.
    public var convertOverlayWhiteouts: Bool
    /// SOURCE_DATE_EPOCH: later mtimes are lowered to this.
    public var clampModificationTime: Timestamp?
    /// Entries left out (with what is below them), by relative path and lstat.
    public var skip: (@Sendable (String, stat) -> Bool)?

    public init(convertOverlayWhiteouts: Bool = false, clampModificationTime: Timestamp? = nil,
                skip: (@Sendable (String, stat) -> Bool)? = nil) {
        self.convertOverlayWhiteouts = convertOverlayWhiteouts
        self.clampModificationTime = clampModificationTime
        self.skip = skip
    }

    /// Archives what is below `directory` (not the directory itself); paths are relative.
    public func archive(_ directory: String, into writer: TarWriter) throws {
        let root = try FileDescriptorHandle(path: directory, flags: O_RDONLY | O_DIRECTORY)
        let walk = ArchiveWalk(options: self, writer: writer)
        defer { walk.buffer.deallocate() }
        try walk.archiveContents(of: root, prefix: "")
    }
}

/// One DirectoryArchiver run: the hardlinks seen so far and a reusable read buffer.
private final class ArchiveWalk {
    let options: DirectoryArchiver
    let writer: TarWriter
    /// (device, inode) → the path the first link was archived under.
    var firstLinks: [InodeKey: String] = [:]
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024 * 1024, alignment: 16)

    struct InodeKey: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    init(options: DirectoryArchiver, writer: TarWriter) {
        self.options = options
        self.writer = writer
    }

    func archiveContents(of directory: FileDescriptorHandle, prefix: String) throws {
        let names = try FileSystem.names(inDirectory: directory.fd, path: directory.path).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for name in names {
            try archive(name, in: directory, path: prefix + name)
        }
    }

    /// A running container (a commit with --pause=false, `cp`, `export`) may remove or rename
    /// an entry between the listing and its reading. Such an entry is left out, as Docker's
    /// archiver does; so every read that can find it gone comes before its header is written.
    private func archive(_ name: String, in directory: FileDescriptorHandle, path: String) throws {
        var st = stat()
        if fstatat(directory.fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 {
            if errno == ENOENT { return }
            throw CellError.system("stat \(directory.path)/\(name): \(Syscall.errorString(errno))")
        }
        if let skip = options.skip, skip(path, st) { return }
        var type = st.st_mode & S_IFMT
        // The file's own inode is opened first and described by its descriptor: a name replaced
        // since the stat above cannot pair one file's header with another's bytes.
        var file: FileDescriptorHandle?
        if type == S_IFREG {
            let filePath = "\(directory.path)/\(name)"
            do {
                file = FileDescriptorHandle(fd: try RegularFile.open(at: directory.fd, name, flags: O_RDONLY, describing: filePath),
                                            path: filePath)
            } catch let error as CellError where error.kind == .notFound {
                return
            }
            guard fstat(file!.fd, &st) == 0 else { throw CellError.system("stat \(filePath): \(Syscall.errorString(errno))") }
            type = st.st_mode & S_IFMT
        }
        // Through the directory's descriptor: the name cannot be swapped for a symlink elsewhere.
        let procPath = "/proc/self/fd/\(directory.fd)/\(name)"
        var entry = TarEntry(
            path: path, kind: .regular, mode: st.st_mode & 0o7777, uid: st.st_uid, gid: st.st_gid,
            modificationTime: clamp(Timestamp(seconds: Int64(st.st_mtim.tv_sec), nanoseconds: Int32(st.st_mtim.tv_nsec))))
        if type == S_IFCHR && st.st_rdev == 0 && options.convertOverlayWhiteouts {
            entry.path = parentPrefix(of: path) + Whiteout.prefix + name
            entry.mode = 0o644
            return try writer.append(entry)
        }
        do {
            entry.extendedAttributes = try attributes(procPath)
        } catch let error as CellError where error.kind == .notFound {
            return
        }
        switch type {
        case S_IFDIR:
            entry.kind = .directory
            let fd = openat(directory.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 {
                if errno == ENOENT { return }
                throw CellError.system("open \(directory.path)/\(name): \(Syscall.errorString(errno))")
            }
            let contents = FileDescriptorHandle(fd: fd, path: "\(directory.path)/\(name)")
            try writer.append(entry)
            if options.convertOverlayWhiteouts,
               OverlayDirectory.isOpaque(procPath) {
                var marker = TarEntry(path: path + "/" + Whiteout.opaqueMarker, kind: .regular, mode: 0o644,
                                      modificationTime: entry.modificationTime)
                marker.uid = entry.uid
                marker.gid = entry.gid
                try writer.append(marker)
            }
            try archiveContents(of: contents, prefix: path + "/")
        case S_IFREG:
            if st.st_nlink > 1 {
                let key = InodeKey(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
                if let first = firstLinks[key] {
                    entry.kind = .hardlink
                    entry.linkTarget = first
                    return try writer.append(entry)
                }
                firstLinks[key] = path
            }
            entry.size = Int64(st.st_size)
            try writer.append(entry)
            try copyData(from: file!, size: entry.size)
        case S_IFLNK:
            entry.kind = .symlink
            guard let target = try readLink(name, in: directory) else { return }
            entry.linkTarget = target
            try writer.append(entry)
        case S_IFCHR, S_IFBLK:
            entry.kind = type == S_IFCHR ? .characterDevice : .blockDevice
            // glibc's dev_t layout (gnu_dev_major/minor are macros Swift cannot see).
            let device = UInt64(st.st_rdev)
            entry.deviceMajor = UInt32(truncatingIfNeeded: ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff))
            entry.deviceMinor = UInt32(truncatingIfNeeded: (device & 0xff) | ((device >> 12) & ~0xff))
            try writer.append(entry)
        case S_IFIFO:
            entry.kind = .fifo
            try writer.append(entry)
        default:
            return  // sockets have no place in an image
        }
    }

    private func clamp(_ time: Timestamp) -> Timestamp {
        guard let limit = options.clampModificationTime, limit < time else { return time }
        return limit
    }

    private func parentPrefix(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    /// Sorted for determinism; overlay's private attributes stay out of the layer.
    private func attributes(_ path: String) throws -> [TarEntry.ExtendedAttribute] {
        try ExtendedAttributeCalls.names(path: path).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.compactMap { name in
            guard !name.hasPrefix(Whiteout.overlayAttributePrefix),
                  let value = ExtendedAttributeCalls.get(path: path, name: name) else { return nil }
            return TarEntry.ExtendedAttribute(name: name, value: value)
        }
    }

    /// Copies exactly `size` bytes: a file that grew is cut at its size when stat ran, one that
    /// shrank makes TarWriter throw rather than write a padded, wrong layer. The file was opened
    /// only if regular: a running container that swaps the name for a device node cannot make
    /// a host disk's bytes part of a layer.
    private func copyData(from file: FileDescriptorHandle, size: Int64) throws {
        var remaining = size
        while remaining > 0 {
            let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(min(Int64(buffer.count), remaining))])
            let n = try file.read(into: slice)
            if n == 0 { break }
            try writer.writeData(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            remaining -= Int64(n)
        }
    }

    /// The link's target; nil when it is gone.
    private func readLink(_ name: String, in directory: FileDescriptorHandle) throws -> String? {
        var target = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = target.withUnsafeMutableBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { readlinkat(directory.fd, name, $0.baseAddress!, $0.count) }
        }
        if n < 0 && errno == ENOENT { return nil }
        guard n >= 0 else { throw CellError.system("readlink \(directory.path)/\(name): \(Syscall.errorString(errno))") }
        return String(decoding: target[0..<n], as: UTF8.self)
    }
}
