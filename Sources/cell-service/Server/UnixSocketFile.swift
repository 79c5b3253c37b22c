#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// The file of a unix socket the service binds: its directory made (0755, as Docker's /run/docker),
/// a socket left by a service that died removed, one that still answers refused; after the bind,
/// 0660 and group `cell` when that group exists, else 0600: the socket gives root on this machine.
enum UnixSocketFile {
    static func prepare(_ path: String) throws {
        let directory = FileSystem.dirname(of: path)
        if !FileSystem.isDirectory(directory) {
            try FileSystem.createDirectory(directory, mode: 0o755)
        }
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw ServiceError("\(path) exists and is not a socket")
        }
        if answers(path) {
            throw ServiceError("unix://\(path) is in use: another service listens on it")
        }
        unlink(path)
    }

    /// Binds with a umask that leaves the socket 0600 from its first moment (a chmod after the bind
    /// would leave a window), restoring the process's umask for the containers it creates.
    static func withRestrictiveUmask<T>(_ body: () throws -> T) rethrows -> T {
        let previous = umask(0o177)
        defer { umask(previous) }
        return try body()
    }

    static func restrict(_ path: String) throws {
        guard let group = getgrnam("cell") else { return }
        guard chown(path, 0, group.pointee.gr_gid) == 0, chmod(path, 0o660) == 0 else {
            throw ServiceError("\(path): cannot give the socket to group cell: \(Syscall.errorString(errno))")
        }
    }

    /// Whether something accepts connections on the socket.
    private static func answers(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return result == 0
    }
}
