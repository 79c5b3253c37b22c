#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCore

/// A close-on-exec pipe whose ends are closed when no longer needed (or on deinit).
public final class PipePair {
    public private(set) var readEnd: Int32
    public private(set) var writeEnd: Int32

    public init() throws {
        var fds: [Int32] = [-1, -1]
        let result = cell_pipe_cloexec(&fds)
        if result < 0 { throw CellError.system("pipe: \(Syscall.errorString(-result))") }
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    /// Asks the kernel for a buffer of `bytes` (F_SETPIPE_SZ; rounded up to pages, capped by
    /// /proc/sys/fs/pipe-max-size): fewer wake-ups of the reader for a writer that floods. A
    /// refusal keeps the default 64 KiB.
    public func requestCapacity(_ bytes: Int) {
        let setPipeSize: Int32 = 1031  // F_SETPIPE_SZ, a GNU name Swift's Glibc module does not export
        _ = fcntl(writeEnd, setPipeSize, Int32(bytes))
    }

    deinit {
        closeReadEnd()
        closeWriteEnd()
    }

    /// Hands the read end over to a new owner, who closes it.
    public func takeReadEnd() -> Int32 {
        defer { readEnd = -1 }
        return readEnd
    }

    /// Hands the write end over to a new owner, who closes it.
    public func takeWriteEnd() -> Int32 {
        defer { writeEnd = -1 }
        return writeEnd
    }

    public func closeReadEnd() {
        if readEnd >= 0 { close(readEnd) }
        readEnd = -1
    }

    public func closeWriteEnd() {
        if writeEnd >= 0 { close(writeEnd) }
        writeEnd = -1
    }
}
