#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// A file of a build context read whole, as the builder reads its Imagefile and ignore file: a
/// context may be an API client's tar, so the name is resolved inside the context as if it were
/// "/" (no symlink or `..` leads to the host's files), a FIFO or device is never waited on (the
/// open does not block and anything but a regular file is refused), and the size is bounded.
enum ContextFileReader {
    static let limit = 16 << 20

    /// The bytes of `name` in the context `root` (a descriptor of its directory); nil when it
    /// does not exist. `what` names it in errors ("the Dockerfile Dockerfile").
    static func read(_ name: String, in root: Int32, what: String) throws -> [UInt8]? {
        let fd = RootedPath.open(name, in: root, flags: O_RDONLY | O_NONBLOCK | O_NOCTTY)
        if fd == -ENOENT || fd == -ENOTDIR { return nil }
        guard fd >= 0 else { throw CellError.invalidInput("open \(what): \(Syscall.errorString(-fd))") }
        let handle = FileDescriptorHandle(fd: fd, path: name)
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw CellError.invalidInput("\(what) is not a regular file")
        }
        guard status.st_size <= limit else { throw CellError.invalidInput("\(what) is larger than \(limit >> 20) MiB") }
        return try handle.readToEnd(limit: limit)
    }
}
