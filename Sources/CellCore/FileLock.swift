#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An flock(2) on a lock file: released when the process dies, so a `kill -9` never leaves the
/// store locked. Exclusive for changes of shared state, shared for readers that need a stable view.
public final class FileLock {
    public enum Mode { case shared, exclusive }

    private let handle: FileDescriptorHandle

    public init(path: String) throws {
        try FileSystem.createDirectory(FileSystem.dirname(of: path))
        handle = try FileDescriptorHandle(path: path, flags: O_RDWR | O_CREAT, mode: 0o600)
    }

    public func lock(_ mode: Mode = .exclusive) throws {
        try Syscall.retrying("lock \(handle.path)") { flock(handle.fd, mode == .exclusive ? LOCK_EX : LOCK_SH) }
    }

    /// Returns false when another process holds the lock.
    public func tryLock(_ mode: Mode = .exclusive) throws -> Bool {
        let op = (mode == .exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB
        if flock(handle.fd, op) == 0 { return true }
        if errno == EWOULDBLOCK { return false }
        throw CellError.system("lock \(handle.path): \(Syscall.errorString(errno))")
    }

    public func unlock() {
        _ = flock(handle.fd, LOCK_UN)
    }

    /// Runs `body` holding the lock.
    public func withLock<T>(_ mode: Mode = .exclusive, _ body: () throws -> T) throws -> T {
        try lock(mode)
        defer { unlock() }
        return try body()
    }
}
