/// Where the service listens: `unix:///PATH` (the default, `/run/cell/cell.sock`) or
/// `tcp://HOST:PORT` on a loopback address. The socket gives root on this machine, and cell has no
/// TLS yet, so a TCP address anyone else could reach is refused (Docker requires --tlsverify there).
enum ListenAddress: Equatable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)

    static let standard = ListenAddress.unix(path: "/run/cell/cell.sock")

    init(parsing text: String) throws {
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw ServiceError("\(text): a unix socket's path must be absolute (unix:///run/cell/cell.sock)") }
            // sockaddr_un's sun_path: 108 bytes with the NUL.
            guard path.utf8.count < 108 else { throw ServiceError("\(text): a unix socket's path must be shorter than 108 bytes") }
            self = .unix(path: path)
        } else if text.hasPrefix("tcp://") {
            let rest = text.dropFirst("tcp://".count)
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
                throw ServiceError("\(text): expected tcp://HOST:PORT")
            }
            var host = String(rest[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard ListenAddress.isLoopback(host) else {
                throw ServiceError("\(text): cell serves TCP on loopback addresses only (127.0.0.1, ::1, localhost): the API gives root on this machine, and cell has no TLS yet")
            }
            self = .tcp(host: host == "localhost" ? "127.0.0.1" : host, port: port)
        } else {
            throw ServiceError("\(text): unsupported address: use unix:///PATH or tcp://HOST:PORT")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    var description: String {
        switch self {
        case .unix(let path): return "unix://\(path)"
        case .tcp(let host, let port): return host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }
}

/// A mistake in how the service was started: one line on stderr, exit 125 as the CLI's own.
struct ServiceError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
