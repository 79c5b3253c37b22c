#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// A directory tree reached only through file descriptors: a path is opened below the root's
/// descriptor in one openat2 (`RootedPath.openBeneath`), so no path can leave the root and no
/// symlink is ever followed, whatever the tree holds or a tarball has just put in it. Only to
/// create what is missing, or to say which component was a link, is it walked one name at a
/// time, each with openat(O_NOFOLLOW) from its parent.
final class RootedDirectory {
    let root: FileDescriptorHandle
    var path: String { root.path }

    init(path: String) throws {
        try FileSystem.createDirectory(path)
        root = try FileDescriptorHandle(path: path, flags: O_RDONLY | O_DIRECTORY)
    }

    /// Opens the directory at `components`, creating missing ones (0755, root-owned) when
    /// `create` is set; nil when one is missing and `create` is not. A symlink or a
    /// non-directory on the way is refused with a message that names `entry`.
    func openDirectory(_ components: ArraySlice<String>, for entry: String, create: Bool) throws -> FileDescriptorHandle? {
        let joined = components.joined(separator: "/")
        let direct = RootedPath.openBeneath(joined, in: root.fd, flags: O_RDONLY | O_DIRECTORY)
        if direct >= 0 { return FileDescriptorHandle(fd: direct, path: joined.isEmpty ? path : "\(path)/\(joined)") }
        var current = root
        var walked = ""
        for name in components {
            walked = walked.isEmpty ? name : walked + "/" + name
            var fd = openat(current.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 && errno == ENOENT && create {
                if mkdirat(current.fd, name, 0o755) != 0 && errno != EEXIST {
                    throw CellError.system("mkdir \(path)/\(walked): \(Syscall.errorString(errno))")
                }
                fd = openat(current.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                // The umask may have narrowed the mode; implicit directories are 0755 like Docker's.
                if fd >= 0 { fchmod(fd, 0o755) }
            }
            if fd < 0 {
                let code = errno
                if code == ENOENT && !create { return nil }
                if code == ELOOP || code == ENOTDIR {
                    if kind(in: current.fd, name) == S_IFLNK {
                        throw CellError.invalidInput("layer entry \"\(entry)\" would be written through symlink \"\(walked)\"")
                    }
                    throw CellError.invalidInput("layer entry \"\(entry)\" needs \"\(walked)\" to be a directory")
                }
                throw CellError.system("open \(path)/\(walked): \(Syscall.errorString(code))")
            }
            current = FileDescriptorHandle(fd: fd, path: "\(path)/\(walked)")
        }
        return current
    }

    /// The file type (S_IFMT bits) of `name` in `directory`, nil when absent.
    func kind(in directory: Int32, _ name: String) -> UInt32? {
        var st = stat()
        guard fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return st.st_mode & S_IFMT
    }

    /// Removes `name` from `directory`, recursively if it is a directory; symlinks are removed,
    /// never followed. Missing is fine.
    func remove(_ name: String, in directory: Int32, path: String) throws {
        guard let type = kind(in: directory, name) else { return }
        if type == S_IFDIR {
            let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { throw CellError.system("open \(path): \(Syscall.errorString(errno))") }
            let handle = FileDescriptorHandle(fd: child, path: path)
            for childName in try FileSystem.names(inDirectory: handle.fd, path: handle.path) {
                try remove(childName, in: handle.fd, path: "\(path)/\(childName)")
            }
            if unlinkat(directory, name, AT_REMOVEDIR) != 0 && errno != ENOENT {
                throw CellError.system("rmdir \(path): \(Syscall.errorString(errno))")
            }
        } else if unlinkat(directory, name, 0) != 0 && errno != ENOENT {
            throw CellError.system("unlink \(path): \(Syscall.errorString(errno))")
        }
    }
}
