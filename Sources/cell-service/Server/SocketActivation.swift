#if canImport(Glibc)
import Glibc
#endif

/// systemd's socket activation (sd_listen_fds): when LISTEN_PID is this process, LISTEN_FDS
/// listening sockets start at descriptor 3. The variables are unset once read, as sd_listen_fds
/// does, and the sockets made close-on-exec, so that no container monitor inherits them.
enum SocketActivation {
    static let firstDescriptor: Int32 = 3

    static func takeSockets() -> [Int32] {
        guard let pidText = getenv("LISTEN_PID").map({ String(cString: $0) }), Int32(pidText) == getpid(),
              let countText = getenv("LISTEN_FDS").map({ String(cString: $0) }), let count = Int32(countText), count > 0 else {
            return []
        }
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        let sockets = Array(firstDescriptor..<(firstDescriptor + count))
        for fd in sockets { _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC) }
        return sockets
    }
}
