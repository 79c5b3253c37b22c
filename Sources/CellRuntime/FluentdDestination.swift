import CellCore

/// Where and how the fluentd log driver sends a container's lines (`--log-opt fluentd-*`, `tag`,
/// `labels`, `env`), with Docker's defaults: 127.0.0.1:24224 over TCP, the short id as the tag,
/// a connection required at the start unless `fluentd-async`.
public struct FluentdDestination: Equatable, Sendable {
    public enum Address: Equatable, Sendable {
        case tcp(host: String, port: UInt16)
        case unix(path: String)
    }

    public var address: Address
    /// The tag, its template already resolved at create time.
    public var tag: String
    /// Start even when fluentd cannot be reached (records wait in the buffer meanwhile).
    public var async: Bool
    /// Records kept while fluentd cannot take them: Docker's `fluentd-buffer-limit`, a count of
    /// events (parsed as a size, as Docker parses it).
    public var bufferLimit: Int
    /// The first wait before connecting again, in milliseconds; each further one is 1.5 times
    /// longer, up to a minute.
    public var retryWait: Int
    /// Failed connections in a row after which what is buffered is given up.
    public var maxRetries: Int
    /// Times as EventTime (nanoseconds) instead of whole seconds.
    public var subSecondPrecision: Bool
    /// A connection that takes nothing for this long (milliseconds) is dropped and made anew; 0: never.
    public var writeTimeout: Int
    public var containerID: String
    /// Docker's `container_name`: the name with its leading slash.
    public var containerName: String
    /// `labels` and `env`: more fields of every record, as Docker adds them (they may replace
    /// the four of its own).
    public var extraFields: [String: String]

    public static let defaultPort: UInt16 = 24224
    public static let defaultBufferLimit = 1024 * 1024
    public static let defaultRetryWait = 1000
    public static let defaultMaxRetries = Int(Int32.max)

    public init(address: Address, tag: String, async: Bool = false, bufferLimit: Int = defaultBufferLimit,
                retryWait: Int = defaultRetryWait, maxRetries: Int = defaultMaxRetries, subSecondPrecision: Bool = false,
                writeTimeout: Int = 0, containerID: String, containerName: String, extraFields: [String: String] = [:]) {
        self.address = address
        self.tag = tag
        self.async = async
        self.bufferLimit = bufferLimit
        self.retryWait = retryWait
        self.maxRetries = maxRetries
        self.subSecondPrecision = subSecondPrecision
        self.writeTimeout = writeTimeout
        self.containerID = containerID
        self.containerName = containerName
        self.extraFields = extraFields
    }

    /// `fluentd-address` as Docker reads it: empty for 127.0.0.1:24224; `host`, `host:port`,
    /// `tcp://host[:port]` (either part may be left out), `[v6]:port`, or `unix:///path`.
    public static func parseAddress(_ text: String) throws -> Address {
        func invalid(_ why: String) -> CellError { CellError(.setup, "logger: invalid fluentd-address (\(text)): \(why)") }
        if text.isEmpty { return .tcp(host: "127.0.0.1", port: defaultPort) }
        let url = text.contains("://") ? text : "tcp://" + text
        let separator = url.firstRange(of: "://")!
        let scheme = String(url[..<separator.lowerBound])
        let rest = url[separator.upperBound...]
        switch scheme {
        case "unix":
            // url.Parse's path: what follows the authority (`unix:///run/f.sock`; `unix://x/p` is /p).
            let path = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? ""
            guard path.contains(where: { $0 != "/" }) else { throw invalid("path is empty") }
            return .unix(path: path)
        case "tcp":
            break
        case "tls":
            throw CellError(.setup, "logger: cell's fluentd log driver does not speak tls yet (fluentd-address \(text))")
        default:
            throw invalid("unsupported scheme: '\(scheme)'")
        }
        var authority = rest
        if let slash = authority.firstIndex(of: "/") {
            guard authority[slash...] == "/" || authority[slash...].isEmpty else { throw invalid("should not contain a path element") }
            authority = authority[..<slash]
        }
        var host = "", port = ""
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("missing ']' in host") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw invalid("invalid port \"\(after)\" after host") }
            port = String(after.dropFirst())
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
            guard !host.contains(":") else { throw invalid("too many colons in address") }
        } else {
            host = String(authority)
        }
        guard !host.contains(where: { $0 == "@" || $0 == " " || $0 == "?" || $0 == "#" }) else { throw invalid("invalid host") }
        var number = defaultPort
        if !port.isEmpty {
            guard port.allSatisfy(\.isASCII), let parsed = UInt16(port) else { throw invalid("invalid port") }
            number = parsed
        }
        return .tcp(host: host.isEmpty ? "127.0.0.1" : host, port: number)
    }

    /// Go's strconv.ParseBool, which Docker reads the driver's switches with.
    public static func parseBool(_ text: String, key: String) throws -> Bool {
        guard let value = GoBool.parse(text) else {
            throw CellError(.setup, "logger: invalid \(key) '\(text)': strconv.ParseBool: parsing \"\(text)\": invalid syntax")
        }
        return value
    }

    /// How Go's dialer names the address in its errors: `tcp 127.0.0.1:24224`, `unix /path`.
    public var dialName: String {
        switch address {
        case .tcp(let host, let port): return "tcp " + (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        case .unix(let path): return "unix " + path
        }
    }
}
