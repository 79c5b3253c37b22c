/// Where the service listens: `unix:///PATH` (the default, `/run/cell/cell.sock`) or
/// `tcp://HOST:PORT`. The socket gives root on this machine: a TCP address other than loopback is
/// served only with client certificates (`--tlsverify`, `ServiceArguments` checks).
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
            self = .tcp(host: host == "localhost" ? "127.0.0.1" : host, port: port)
        } else {
            throw ServiceError("\(text): unsupported address: use unix:///PATH or tcp://HOST:PORT")
        }
    }

    var isTCP: Bool {
        if case .tcp = self { return true }
        return false
    }

    /// Whether anyone but this machine's own users could reach it.
    var isReachableFromOutside: Bool {
        if case .tcp(let host, _) = self { return !ListenAddress.isLoopback(host) }
        return false
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
