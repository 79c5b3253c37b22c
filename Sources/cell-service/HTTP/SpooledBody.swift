#if canImport(Glibc)
import Glibc
#endif
import CellCore
import NIOCore

/// A request body too large to hold in memory (an archive PUT's tar), written as it arrives into
/// an unnamed file (O_TMPFILE) in the store's tmp/: nothing is left behind whatever happens to the
/// request or the service, and a garbage collection emptying tmp/ cannot remove it. Written on the
/// event loop (to the page cache), read once by the request's thread; closed with the last reference.
final class SpooledBody: @unchecked Sendable {
    private let fd: Int32
    private(set) var count = 0

    init(in directory: String) throws {
        // A store no command has written to yet has no tmp/.
        try FileSystem.createDirectory(directory, mode: 0o700)
        fd = open(directory, OpenFlags.temporaryFile | O_RDWR | O_CLOEXEC, 0o600)
        if fd < 0 { throw CellError.system("open \(directory): \(Syscall.errorString(errno))") }
    }

    deinit { close(fd) }

    func append(_ buffer: ByteBuffer) throws {
        let written = buffer.withUnsafeReadableBytes { Syscall.writeAll(fd, $0) }
        guard written else { throw CellError.system("write a request body: \(Syscall.errorString(errno))") }
        count += buffer.readableBytes
    }

    /// The descriptor at the body's start, for reading; it stays this object's.
    func rewound() throws -> Int32 {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw CellError.system("lseek: \(Syscall.errorString(errno))") }
        return fd
    }
}
