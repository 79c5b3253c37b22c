#if canImport(Glibc)
import Glibc
#endif
import CellArchive
import CellCore
import CellRuntime

/// One line of `docker diff`: a path added, changed or deleted against the image.
public struct FileChange: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case added = "A"
        case changed = "C"
        case deleted = "D"
    }

    public var kind: Kind
    /// Absolute, as the container sees it.
    public var path: String
}

/// `docker diff`: the container's writable layer (its overlay upper directory, as `commit` reads
/// it) compared with the image's layers, the way moby's overlay driver does: a whiteout is a
/// deletion, a path the image has is a change (a directory only when its size, mode or mtime
/// differ, or something below it was added or deleted), any other path an addition. The
/// mount-point stubs cell adds are left out, as Docker's init layer is. Only directories are
/// opened (never following a link) and nothing is read from a file: a hostile container can
/// plant device nodes and links in its upper directory.
enum ContainerDiff {
    static func changes(upperDirectory: String, imageLayers: [String]) throws -> [FileChange] {
        let root = try FileDescriptorHandle(path: upperDirectory, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
        let layers = try imageLayers.reversed().map { try FileDescriptorHandle(path: $0, flags: OpenFlags.path | O_DIRECTORY) }
        var walk = Walk(upperDirectory: upperDirectory, imageLayerPaths: imageLayers, layers: layers)
        try walk.visit(root, prefix: "/")
        return walk.changes
    }

    private struct Walk {
        let upperDirectory: String
        let imageLayerPaths: [String]
        /// Top layer first: the first one that has a path is the image's version of it.
        let layers: [FileDescriptorHandle]
        var changes: [FileChange] = []
        /// Directories already listed, so that a parent is listed once, before its children.
        var listedDirectories: Set<String> = []

        mutating func visit(_ directory: FileDescriptorHandle, prefix: String) throws {
            let names = try FileSystem.names(inDirectory: directory.fd, path: directory.path).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for name in names {
                let path = prefix + name
                var st = stat()
                guard fstatat(directory.fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                    if errno == ENOENT { continue }  // removed by the running container meanwhile
                    throw CellError.system("stat \(directory.path)/\(name): \(Syscall.errorString(errno))")
                }
                if MountPointStubs.isStub(String(path.dropFirst()), st, upperDirectory: upperDirectory, imageLayers: imageLayerPaths) {
                    continue
                }
                let isDirectory = st.st_mode & S_IFMT == S_IFDIR
                var child: FileDescriptorHandle?
                if isDirectory {
                    let fd = openat(directory.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    if fd < 0 && errno == ENOENT { continue }
                    guard fd >= 0 else { throw CellError.system("open \(directory.path)/\(name): \(Syscall.errorString(errno))") }
                    child = FileDescriptorHandle(fd: fd, path: "\(directory.path)/\(name)")
                }
                if let child, try holdsOnlyStubs(child, path: path) { continue }
                if let kind = kind(of: path, st, opaque: child != nil && OverlayDirectory.isOpaque("/proc/self/fd/\(directory.fd)/\(name)")) { record(FileChange(kind: kind, path: path), isDirectory: isDirectory) }
                if let child { try visit(child, prefix: path + "/") }
            }
        }

        private func kind(of path: String, _ st: stat, opaque: Bool) -> FileChange.Kind? {
            if st.st_mode & S_IFMT == S_IFCHR && st.st_rdev == 0 { return .deleted }
            guard let image = imageStat(of: path) else { return .added }
            // Deleted and made again: the image's contents are hidden.
            if opaque { return .deleted }
            if st.st_mode & S_IFMT == S_IFDIR {
                if image.st_mode & S_IFMT == S_IFDIR && image.st_mode == st.st_mode && image.st_size == st.st_size
                    && image.st_mtim.tv_sec == st.st_mtim.tv_sec && image.st_mtim.tv_nsec == st.st_mtim.tv_nsec {
                    return nil
                }
            }
            return .changed
        }

        /// A directory copied up only to hold mount-point stubs (/etc for /etc/hosts, ...) is
        /// Docker's init layer, not a change.
        private func holdsOnlyStubs(_ directory: FileDescriptorHandle, path: String) throws -> Bool {
            guard Self.stubParents.contains(path) else { return false }
            return try FileSystem.names(inDirectory: directory.fd, path: directory.path).allSatisfy { name in
                var st = stat()
                let relative = String(path.dropFirst()) + "/" + name
                return fstatat(directory.fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
                    && MountPointStubs.isStub(relative, st, upperDirectory: upperDirectory, imageLayers: imageLayerPaths)
            }
        }

        private static let stubParents = Set(MountPointStubs.files.map { "/" + FileSystem.dirname(of: $0) })

        /// A directory is listed once; an addition or deletion lists its parent as changed first.
        private mutating func record(_ change: FileChange, isDirectory: Bool) {
            if change.kind != .changed {
                let parent = FileSystem.dirname(of: change.path)
                if parent != "/" && !listedDirectories.contains(parent) {
                    changes.append(FileChange(kind: .changed, path: parent))
                    listedDirectories.insert(parent)
                }
            }
            if isDirectory { listedDirectories.insert(change.path) }
            changes.append(change)
        }

        /// The path as the image has it, found without following any link: overlay does not
        /// follow a lower layer's links either.
        private func imageStat(of path: String) -> stat? {
            for layer in layers {
                let fd = RootedPath.openBeneath(String(path.dropFirst()), in: layer.fd, flags: OpenFlags.path | O_NOFOLLOW)
                guard fd >= 0 else { continue }
                defer { close(fd) }
                var st = stat()
                if fstat(fd, &st) == 0 { return st }
            }
            return nil
        }
    }
}

extension ContainerStore {
    /// docker diff, under the container's lock (no rm or commit meanwhile; a running container
    /// keeps writing, and is read as it is).
    public func changes(of reference: String) throws -> [FileChange] {
        let container = try resolve(reference)
        return try withLock(container) {
            try ContainerDiff.changes(upperDirectory: "\(container.directory)/upper", imageLayers: container.record.layerDirectories)
        }
    }
}
