#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// The monitor's connection to a syslog receiver. Connected when the container starts (a
/// receiver that is not there fails the start, as Docker's driver does); a message that cannot
/// be sent later is dropped, and the next one connects anew, so a restarted receiver is found
/// again and a container never stops on its logging.
public final class SyslogWriter: LogLineForwarder {
    public let destination: SyslogDestination
    /// A socket, or the TLS session over one (tcp+tls); nil while not connected.
    private var connection: Connection?
    private let hostname: String
    private let pid = getpid()

    public init(destination: SyslogDestination) throws {
        self.destination = destination
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1)
        hostname = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            connection = try SyslogWriter.connect(destination)
        } catch let error as CellError {
            throw CellError(.setup, "failed to initialize logging driver: \(error.message)")
        }
    }

    private enum Connection {
        case socket(Int32)
        case tls(TLSClientConnection)

        /// Sends all of `bytes`; false when the connection failed.
        func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
            switch self {
            case .tls(let session): return session.write(bytes)
            case .socket(let fd):
                var offset = 0
                while offset < bytes.count {
                    let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return false }
                    offset += n
                }
                return true
            }
        }

        func close() {
            if case .socket(let fd) = self { Glibc.close(fd) }
            // A TLS session closes its socket when it goes.
        }
    }

    deinit { connection?.close() }

    public func forward(_ line: ArraySlice<UInt8>, stream: ContainerLogWriter.Stream, complete: Bool, time: Timestamp) {
        send(line, error: stream == .stderr, time: time)
    }

    /// One line (or a piece of a long one), without its newline.
    public func send(_ line: ArraySlice<UInt8>, error: Bool, time: Timestamp) {
        let message = destination.message(line, error: error, time: time, hostname: hostname, pid: pid)
        if connection == nil { connection = try? SyslogWriter.connect(destination) }
        guard let current = connection else { return }
        if !message.withUnsafeBytes({ current.send($0) }) {
            current.close()
            connection = nil
        }
    }

    private static func connect(_ destination: SyslogDestination) throws -> Connection {
        switch destination.transport {
        case .unixgram:
            return .socket(try connectUnix(destination.target, type: Int32(SOCK_DGRAM.rawValue), scheme: "unixgram"))
        case .unix:
            // Docker dials a stream; a datagram socket (as /dev/log usually is) is taken too.
            do {
                return .socket(try connectUnix(destination.target, type: Int32(SOCK_STREAM.rawValue), scheme: "unix"))
            } catch let error as SocketError where error.code == EPROTOTYPE {
                return .socket(try connectUnix(destination.target, type: Int32(SOCK_DGRAM.rawValue), scheme: "unix"))
            }
        case .tcp, .udp:
            return .socket(try connectInet(destination.target, stream: destination.transport == .tcp))
        case .tcpTLS:
            let fd = try connectInet(destination.target, stream: true, scheme: "tcp+tls")
            // The handshake waits on the receiver's answers no longer than a send may take.
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let host = String(destination.target[..<destination.target.lastIndex(of: ":")!])
            return .tls(try TLSClientConnection(fd: fd, host: host, settings: destination.tls))
        }
    }

    /// A receiver that stops reading holds the container's output up to this long per message.
    private static func setSendTimeout(_ fd: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    private struct SocketError: Error { let code: Int32 }

    private static func failure(_ scheme: String, _ target: String, _ operation: String, _ code: Int32) -> CellError {
        CellError(.setup, "dial \(scheme) \(target): \(operation): \(Syscall.errorString(code))")
    }

    private static func connectUnix(_ path: String, type: Int32, scheme: String) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw CellError(.setup, "dial \(scheme) \(path): socket path too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let fd = Glibc.socket(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure(scheme, path, "socket", errno) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if result != 0 {
            let code = errno
            close(fd)
            if code == EPROTOTYPE { throw SocketError(code: code) }
            throw failure(scheme, path, "connect", code)
        }
        setSendTimeout(fd)
        return fd
    }

    private static func connectInet(_ target: String, stream: Bool, scheme: String? = nil) throws -> Int32 {
        let scheme = scheme ?? (stream ? "tcp" : "udp")
        guard let colon = target.lastIndex(of: ":") else { throw CellError(.setup, "dial \(scheme) \(target): missing port") }
        var host = String(target[..<colon])
        if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
        let port = String(target[target.index(after: colon)...])
        var hints = addrinfo()
        hints.ai_socktype = Int32(stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let lookup = getaddrinfo(host, port, &hints, &list)
        guard lookup == 0, let first = list else {
            throw CellError(.setup, "dial \(scheme) \(target): lookup \(host): \(String(cString: gai_strerror(lookup)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = ECONNREFUSED
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            let fd = Glibc.socket(current.pointee.ai_family, current.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), current.pointee.ai_protocol)
            if fd < 0 { lastError = errno; continue }
            if Glibc.connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 {
                setSendTimeout(fd)
                return fd
            }
            lastError = errno
            close(fd)
        }
        throw failure(scheme, target, "connect", lastError)
    }
}
