#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// The state of one LayerExtractor run.
final class ExtractionSession {
    private let reader: TarReader
    private let root: RootedDirectory
    private let whiteouts: LayerExtractor.WhiteoutHandling
    private var result = LayerExtractionResult()

    /// Directory mtimes are set last, deepest first: creating children would change them.
    private var directoryTimes: [(components: [String], time: Timestamp)] = []
    /// Paths this layer created, and their ancestors: OCI whiteouts apply only to the layers
    /// below, never to what the same layer holds.
    private var extracted: Set<String> = []
    private var ancestorsOfExtracted: Set<String> = []
    /// The last parent directory opened: consecutive entries usually share it. Dropped
    /// whenever anything is removed, as that could be this directory or one above it.
    private var cachedParent: (key: [String], handle: FileDescriptorHandle)?

    private let sizeLimit: Int64?
    /// The declared sizes of the regular files so far.
    private var declaredBytes: Int64 = 0

    init(reader: TarReader, root: RootedDirectory, whiteouts: LayerExtractor.WhiteoutHandling, sizeLimit: Int64?) {
        self.reader = reader
        self.root = root
        self.whiteouts = whiteouts
        self.sizeLimit = sizeLimit
    }

    func run() throws -> LayerExtractionResult {
        while let entry = try reader.next() {
            try extract(entry)
        }
        for (components, time) in directoryTimes.reversed() {
            // Gone or replaced by something else since: nothing to date.
            guard let directory = try root.openDirectory(components, from: root.root, for: components.joined(separator: "/"))
            else { continue }
            try setTime(time, fileDescriptor: directory.fd, path: directory.path)
        }
        return result
    }

    private func extract(_ entry: TarEntry) throws {
        let components = try LayerPath.components(of: entry.path, entry: entry.path)
        guard let name = components.last else {
            guard entry.kind == .directory else {
                throw CellError.invalidInput("layer entry \"\(entry.path)\" names the root but is not a directory")
            }
            try applyDirectoryMetadata(entry, handle: root.root, components: [])
            result.entriesExtracted += 1
            return
        }
        switch whiteouts == .keptAsFiles ? Whiteout.Meaning.none : Whiteout.meaning(of: name) {
        case .none: break
        case .ignore: return
        case .opaque: return try applyOpaque(Array(components.dropLast()), entry: entry)
        case .remove(let target):
            guard !target.isEmpty, target != ".", target != ".." else {
                throw CellError.invalidInput("layer entry \"\(entry.path)\" is a malformed whiteout")
            }
            return try applyWhiteout(Array(components.dropLast()) + [target], entry: entry)
        }
        switch entry.kind {
        case .blockDevice, .socket:
            result.devicesSkipped += 1
            return
        case .characterDevice where !entry.isOverlayWhiteout:
            result.devicesSkipped += 1
            return
        default: break
        }
        let parent = try openParent(of: components, for: entry.path, create: true)!
        switch entry.kind {
        case .directory: try extractDirectory(entry, name: name, parent: parent, components: components)
        case .regular: try extractFile(entry, name: name, parent: parent)
        case .symlink: try extractSymlink(entry, name: name, parent: parent)
        case .hardlink: try extractHardlink(entry, name: name, parent: parent, components: components)
        case .fifo, .characterDevice: try extractNode(entry, name: name, parent: parent)
        case .blockDevice, .socket: return
        }
        record(components)
        result.entriesExtracted += 1
    }

    // MARK: kinds of entries

    private func extractDirectory(_ entry: TarEntry, name: String, parent: FileDescriptorHandle, components: [String]) throws {
        let kept = try removeExisting(name, in: parent, keepingDirectory: true)
        if !kept && mkdirat(parent.fd, name, 0o700) != 0 {
            throw failure("mkdir", entry)
        }
        let fd = openat(parent.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", entry) }
        try applyDirectoryMetadata(entry, handle: FileDescriptorHandle(fd: fd, path: entry.path), components: components)
    }

    private func applyDirectoryMetadata(_ entry: TarEntry, handle: FileDescriptorHandle, components: [String]) throws {
        if fchown(handle.fd, entry.uid, entry.gid) != 0 { throw failure("chown", entry) }
        if fchmod(handle.fd, entry.mode & 0o7777) != 0 { throw failure("chmod", entry) }
        try setAttributes(entry) { ExtendedAttributeCalls.set(fileDescriptor: handle.fd, name: $0, value: $1) }
        directoryTimes.append((components, entry.modificationTime))
    }

    private func extractFile(_ entry: TarEntry, name: String, parent: FileDescriptorHandle) throws {
        if let sizeLimit {
            declaredBytes += max(0, entry.size)
            guard declaredBytes <= sizeLimit else {
                throw CellError.invalidInput("the archive unpacks to more than \(sizeLimit) bytes (at \"\(entry.path)\"): more than there is room for")
            }
        }
        _ = try removeExisting(name, in: parent, keepingDirectory: false)
        let fd = openat(parent.fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create", entry) }
        let file = FileDescriptorHandle(fd: fd, path: entry.path)
        var end: Int64 = 0
        while let block = try reader.input.nextBlock() {
            try writeAll(block.bytes, at: block.offset, to: file, entry: entry)
            end = max(end, block.offset + Int64(block.bytes.count))
            result.bytesWritten += Int64(block.bytes.count)
        }
        // A sparse file's trailing hole is not in any block.
        if entry.size > end && ftruncate(fd, off_t(entry.size)) != 0 { throw failure("truncate", entry) }
        // chown clears setuid bits and security.capability: mode and xattrs come after it.
        if fchown(fd, entry.uid, entry.gid) != 0 { throw failure("chown", entry) }
        if fchmod(fd, entry.mode & 0o7777) != 0 { throw failure("chmod", entry) }
        try setAttributes(entry) { ExtendedAttributeCalls.set(fileDescriptor: fd, name: $0, value: $1) }
        try setTime(entry.modificationTime, fileDescriptor: fd, path: entry.path)
        try file.close()
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int64, to file: FileDescriptorHandle, entry: TarEntry) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(file.fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("write", entry)
            }
            done += n
        }
    }

    private func extractSymlink(_ entry: TarEntry, name: String, parent: FileDescriptorHandle) throws {
        _ = try removeExisting(name, in: parent, keepingDirectory: false)
        // The target is stored as is: it means something inside the container, and nothing
        // here ever follows it.
        if symlinkat(entry.linkTarget ?? "", parent.fd, name) != 0 { throw failure("symlink", entry) }
        try applyNodeMetadata(entry, name: name, parent: parent, setMode: false)
    }

    private func extractNode(_ entry: TarEntry, name: String, parent: FileDescriptorHandle) throws {
        _ = try removeExisting(name, in: parent, keepingDirectory: false)
        // Only FIFOs and the 0/0 whiteout device get here, so the device number is always 0.
        let type = entry.kind == .fifo ? S_IFIFO : S_IFCHR
        if mknodat(parent.fd, name, type | 0o600, 0) != 0 { throw failure("mknod", entry) }
        try applyNodeMetadata(entry, name: name, parent: parent, setMode: true)
    }

    /// Metadata of something that must not be opened (a FIFO would block, a symlink would be followed).
    private func applyNodeMetadata(_ entry: TarEntry, name: String, parent: FileDescriptorHandle, setMode: Bool) throws {
        if fchownat(parent.fd, name, entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW) != 0 { throw failure("chown", entry) }
        if setMode && fchmodat(parent.fd, name, entry.mode & 0o7777, AT_SYMLINK_NOFOLLOW) != 0 {
            throw failure("chmod", entry)
        }
        if !entry.extendedAttributes.isEmpty {
            // The parent's descriptor as a path: resolution cannot leave it, and lsetxattr
            // does not follow the final component.
            let path = "/proc/self/fd/\(parent.fd)/\(name)"
            try setAttributes(entry) { ExtendedAttributeCalls.set(path: path, name: $0, value: $1) }
        }
        var times = [timespec(entry.modificationTime), timespec(entry.modificationTime)]
        if utimensat(parent.fd, name, &times, AT_SYMLINK_NOFOLLOW) != 0 { throw failure("set times of", entry) }
    }

    private func extractHardlink(_ entry: TarEntry, name: String, parent: FileDescriptorHandle, components: [String]) throws {
        let stored = entry.linkTarget ?? ""
        let target = try LayerPath.components(of: stored, entry: entry.path)
        guard let targetName = target.last else {
            throw CellError.invalidInput("layer entry \"\(entry.path)\" is a hardlink to the root")
        }
        if target == components { return }
        guard let targetParent = try root.openDirectory(target.dropLast(), for: entry.path, create: false),
              root.kind(in: targetParent.fd, targetName) != nil
        else {
            throw CellError.invalidInput("layer entry \"\(entry.path)\" links to \"\(stored)\", which does not exist")
        }
        _ = try removeExisting(name, in: parent, keepingDirectory: false)
        // No AT_SYMLINK_FOLLOW: if the target is a symlink, the link is to the symlink itself.
        if linkat(targetParent.fd, targetName, parent.fd, name, 0) != 0 {
            let code = errno
            throw CellError.invalidInput(
                "layer entry \"\(entry.path)\" cannot link to \"\(stored)\": \(Syscall.errorString(code))")
        }
    }

    // MARK: whiteouts

    private func applyWhiteout(_ components: [String], entry: TarEntry) throws {
        let key = components.joined(separator: "/")
        // OCI: a whiteout hides the layers below, never a file of its own layer.
        if extracted.contains(key) { return }
        let name = components.last!
        if whiteouts == .overlay {
            let parent = try openParent(of: components, for: entry.path, create: true)!
            _ = try removeExisting(name, in: parent, keepingDirectory: false)
            if mknodat(parent.fd, name, S_IFCHR | 0o600, 0) != 0 { throw failure("mknod whiteout for", entry) }
            // Owner and time of the .wh. entry, so that archiving the tree again gives the same layer.
            try applyNodeMetadata(entry, name: name, parent: parent, setMode: false)
        } else {
            guard let parent = try openParent(of: components, for: entry.path, create: false) else { return }
            if ancestorsOfExtracted.contains(key) {
                // A directory this layer already wrote into: keep what it wrote.
                guard let directory = try root.openDirectory(components[...], for: entry.path, create: false) else { return }
                try removeLowerContents(of: directory, key: key)
            } else {
                try removeChild(name, in: parent, path: key)
            }
        }
        result.whiteoutsApplied += 1
    }

    private func applyOpaque(_ components: [String], entry: TarEntry) throws {
        let key = components.joined(separator: "/")
        if whiteouts == .overlay {
            let directory = try root.openDirectory(components[...], for: entry.path, create: true)!
            let code = ExtendedAttributeCalls.set(fileDescriptor: directory.fd, name: Whiteout.opaqueAttribute, value: [0x79])
            if code != 0 {
                throw CellError.system("mark \(root.path)/\(key) opaque for layer entry \"\(entry.path)\": \(Syscall.errorString(code))")
            }
        } else {
            guard let directory = try root.openDirectory(components[...], for: entry.path, create: false) else { return }
            try removeLowerContents(of: directory, key: key)
        }
        result.whiteoutsApplied += 1
    }

    /// Empties a directory of everything that did not come from this layer.
    private func removeLowerContents(of directory: FileDescriptorHandle, key: String) throws {
        for name in try FileSystem.names(inDirectory: directory.fd, path: directory.path) {
            let childKey = key.isEmpty ? name : key + "/" + name
            if extracted.contains(childKey) || ancestorsOfExtracted.contains(childKey) {
                if root.kind(in: directory.fd, name) == S_IFDIR,
                   let child = try root.openDirectory([name], from: directory, for: childKey) {
                    try removeLowerContents(of: child, key: childKey)
                }
            } else {
                try removeChild(name, in: directory, path: childKey)
            }
        }
    }

    // MARK: helpers

    private func openParent(of components: [String], for entry: String, create: Bool) throws -> FileDescriptorHandle? {
        let key = Array(components.dropLast())
        if let cachedParent, cachedParent.key == key { return cachedParent.handle }
        guard let handle = try root.openDirectory(key[...], for: entry, create: create) else { return nil }
        cachedParent = (key, handle)
        return handle
    }

    /// Clears the way for a new entry. Returns true when an existing directory was kept (a
    /// directory entry over a directory updates it; anything else replaces what was there).
    private func removeExisting(_ name: String, in parent: FileDescriptorHandle, keepingDirectory: Bool) throws -> Bool {
        guard let type = root.kind(in: parent.fd, name) else { return false }
        if type == S_IFDIR && keepingDirectory { return true }
        try removeChild(name, in: parent, path: "\(parent.path)/\(name)")
        return false
    }

    private func removeChild(_ name: String, in parent: FileDescriptorHandle, path: String) throws {
        cachedParent = nil
        try root.remove(name, in: parent.fd, path: path)
    }

    private func record(_ components: [String]) {
        var key = ""
        for (index, name) in components.enumerated() {
            key = key.isEmpty ? name : key + "/" + name
            if index < components.count - 1 { ancestorsOfExtracted.insert(key) }
        }
        extracted.insert(key)
    }

    private func setAttributes(_ entry: TarEntry, _ set: (String, [UInt8]) -> Int32) throws {
        for attribute in entry.extendedAttributes {
            if attribute.name.hasPrefix(Whiteout.overlayAttributePrefix) {
                result.extendedAttributesSkipped += 1
                continue
            }
            let code = set(attribute.name, attribute.value)
            if code == 0 { continue }
            // A file system without xattrs (or without user.* on symlinks) loses them, as with Docker.
            if code == EOPNOTSUPP || (code == EPERM && entry.kind == .symlink) {
                result.extendedAttributesSkipped += 1
                continue
            }
            throw CellError.system(
                "set \(attribute.name) on layer entry \"\(entry.path)\": \(Syscall.errorString(code))")
        }
    }

    /// atime is set to the mtime too: the tar does not carry it.
    private func setTime(_ time: Timestamp, fileDescriptor: Int32, path: String) throws {
        var times = [timespec(time), timespec(time)]
        if futimens(fileDescriptor, &times) != 0 {
            throw CellError.system("set times of \(path): \(Syscall.errorString(errno))")
        }
    }

    private func failure(_ operation: String, _ entry: TarEntry) -> CellError {
        let code = errno
        return CellError.system("\(operation) layer entry \"\(entry.path)\" in \(root.path): \(Syscall.errorString(code))")
    }
}

extension timespec {
    init(_ time: Timestamp) {
        self.init(tv_sec: time_t(time.seconds), tv_nsec: Int(time.nanoseconds))
    }
}

extension RootedDirectory {
    /// Opens `components` below an already open directory (same rules as from the root).
    func openDirectory(_ components: [String], from directory: FileDescriptorHandle, for entry: String) throws -> FileDescriptorHandle? {
        let joined = components.joined(separator: "/")
        let fd = RootedPath.openBeneath(joined, in: directory.fd, flags: O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else {
            if fd == -ENOENT || fd == -ELOOP || fd == -ENOTDIR || fd == -EXDEV { return nil }
            throw CellError.system("open \(directory.path)/\(joined): \(Syscall.errorString(-fd))")
        }
        return FileDescriptorHandle(fd: fd, path: joined.isEmpty ? directory.path : "\(directory.path)/\(joined)")
    }
}
