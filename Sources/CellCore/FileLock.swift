#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An flock(2) on a lock file: released when the process dies, so a `kill -9` never leaves the
/// store locked. Exclusive for changes of shared state, shared for readers that need a stable view.
/// Sendable: its only state is a descriptor, and flock(2) on it is safe from any thread (a lock
/// taken on one thread may be released on another, as a streamed API answer does).
public final class FileLock: @unchecked Sendable {
    public enum Mode { case shared, exclusive }

    private let handle: FileDescriptorHandle

    public init(path: String) throws {
        try FileSystem.createDirectory(FileSystem.dirname(of: path))
        handle = try FileDescriptorHandle(path: path, flags: O_RDWR | O_CREAT, mode: 0o600)
    }

    private init(handle: FileDescriptorHandle) {
        self.handle = handle
    }

    /// A lock file in a directory that must already exist (it is never created): nil when the
    /// directory is gone, as a lock inside something being removed must not bring it back.
    public static func inExistingDirectory(_ path: String) throws -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw CellError.system("open \(path): \(Syscall.errorString(errno))")
        }
        return FileLock(handle: FileDescriptorHandle(fd: fd, path: path))
    }

    /// Whether the locked file is still the one at its path (not renamed away or unlinked by
    /// whoever held the lock before).
    public var isStillAtItsPath: Bool {
        var opened = stat(), named = stat()
        return fstat(handle.fd, &opened) == 0 && stat(handle.path, &named) == 0
            && opened.st_dev == named.st_dev && opened.st_ino == named.st_ino
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
