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

    /// What an inherited socket listens on: a TCP one's bound address as a `ListenAddress`
    /// (judged as a `tcp://` address is: TLS, and client certificates off loopback), nil for a
    /// unix socket.
    static func tcpAddress(of fd: Int32) -> ListenAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            var address = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee } }
            inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(text.count))
            return .tcp(host: String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                        port: Int(UInt16(bigEndian: address.sin_port)))
        case AF_INET6:
            var address = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee } }
            inet_ntop(AF_INET6, &address.sin6_addr, &text, socklen_t(text.count))
            return .tcp(host: String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
                        port: Int(UInt16(bigEndian: address.sin6_port)))
        default:
            return nil
        }
    }
}
