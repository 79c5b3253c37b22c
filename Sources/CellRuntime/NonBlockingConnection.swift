#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellNetwork

/// A stream socket to a log receiver that never makes its caller wait: the connect is started
/// on a non-blocking socket and finished when poll() finds it writable, so a receiver that is
/// slow to answer (or a host that drops the SYN) holds up no container's output.
enum NonBlockingConnection {
    enum Target {
        case inet(SocketAddress)
        case unix(String)

        /// As Go's dialer names it in errors: `127.0.0.1:24224`, `[::1]:24224`, `/run/f.sock`.
        var name: String {
            switch self {
            case .inet(let address): return SocketAddress.join(host: address.host, port: String(address.port))
            case .unix(let path): return path
            }
        }
    }

    /// A socket call that failed: the call's name and errno, or the connect's time running out.
    struct Failure: Error {
        let operation: String
        let code: Int32

        static let timedOut = Failure(operation: "connect", code: ETIMEDOUT)

        /// As Go words it: `connect: connection refused`, `i/o timeout`.
        var text: String { code == ETIMEDOUT ? "i/o timeout" : "\(operation): \(Syscall.lowercaseErrorString(code))" }
    }

    /// The addresses of `host` (a name goes through getaddrinfo: /etc/hosts, DNS), in its order.
    static func resolve(host: String, port: UInt16) throws -> [SocketAddress] {
        if let address = SocketAddress(host, port: port) { return [address] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            throw CellError(.setup, "dial tcp: lookup \(host): \(String(cString: gai_strerror(status)).lowercased())")
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry = list
        while let current = entry {
            entry = current.pointee.ai_next
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            let family = current.pointee.ai_family
            guard family == AF_INET || family == AF_INET6, let raw = current.pointee.ai_addr else { continue }
            if family == AF_INET {
                var address = UnsafeRawPointer(raw).load(as: sockaddr_in.self).sin_addr
                inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
            } else {
                var address = UnsafeRawPointer(raw).load(as: sockaddr_in6.self).sin6_addr
                inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
            }
            let name = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let address = SocketAddress(name, port: port), !addresses.contains(where: { $0.sameEndpoint(as: address) }) {
                addresses.append(address)
            }
        }
        guard !addresses.isEmpty else { throw CellError(.setup, "dial tcp: lookup \(host): no such host") }
        return addresses
    }

    /// Starts connecting: the socket, and whether the connection is still being made (then
    /// poll for POLLOUT and ask `outcome`).
    static func start(_ target: Target) throws(Failure) -> (fd: Int32, pending: Bool) {
        let flags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd: Int32
        let result: Int32
        switch target {
        case .inet(let address):
            fd = socket(address.family, flags, 0)
            guard fd >= 0 else { throw Failure(operation: "socket", code: errno) }
            result = address.withSocketAddress { Glibc.connect(fd, $0, $1) }
        case .unix(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(operation: "connect", code: ENAMETOOLONG) }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            fd = socket(AF_UNIX, flags, 0)
            guard fd >= 0 else { throw Failure(operation: "socket", code: errno) }
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        if result == 0 { return (fd, false) }
        let code = errno
        // A unix socket's backlog being full is EAGAIN: that is a refusal for now, too.
        if code == EINPROGRESS || code == EINTR { return (fd, true) }
        close(fd)
        throw Failure(operation: "connect", code: code)
    }

    /// How a pending connect ended, once poll() reported the socket: 0 when connected, else errno.
    static func outcome(of fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }

    /// Connects within `timeout` seconds, waiting: for the one connection a start requires.
    static func connect(_ target: Target, timeout: Double) throws(Failure) -> Int32 {
        let (fd, pending) = try start(target)
        guard pending else { return fd }
        let deadline = Deadline(after: timeout)
        while true {
            var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let n = poll(&ready, 1, Int32(deadline.remaining * 1000) + 1)
            if n < 0 && errno == EINTR { continue }
            if n > 0 { break }
            if deadline.hasPassed {
                close(fd)
                throw Failure.timedOut
            }
        }
        let code = outcome(of: fd)
        guard code == 0 else {
            close(fd)
            throw Failure(operation: "connect", code: code)
        }
        return fd
    }
}
