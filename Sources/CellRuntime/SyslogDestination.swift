#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// Where and how the syslog log driver sends a container's lines (`--log-opt syslog-*`, `tag`),
/// as Docker's syslog driver formats them: each line one message, stdout at severity info and
/// stderr at err, from the monitor's pid.
public struct SyslogDestination: Equatable, Sendable {
    public enum Transport: String, Sendable { case unix, unixgram, tcp, udp, tcpTLS = "tcp+tls" }

    /// Docker's `syslog-format`: empty is the local form (no hostname, `Jan _2 15:04:05`).
    public enum Format: String, Sendable, CaseIterable {
        case unix = "", rfc3164, rfc5424, rfc5424micro
    }

    public var transport: Transport
    /// A socket path (unix, unixgram) or `host:port` (tcp, udp).
    public var target: String
    public var facility: Int
    public var format: Format
    /// The tag, its template already resolved at create time.
    public var tag: String
    /// tcp+tls: `syslog-tls-ca-cert`, `syslog-tls-cert`, `syslog-tls-key`, `syslog-tls-skip-verify`.
    public var tls = TLSClientSettings()

    public init(transport: Transport, target: String, facility: Int, format: Format, tag: String) {
        self.transport = transport
        self.target = target
        self.facility = facility
        self.format = format
        self.tag = tag
    }

    /// syslog(3)'s facility names, by their codes.
    public static let facilities = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
                                    "authpriv", "ftp", "", "", "", "",
                                    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"]

    /// `syslog-address` as Docker reads it: empty for the local /dev/log, else
    /// unix|unixgram://PATH or tcp|udp|tcp+tls://HOST[:PORT] (514 by default).
    public static func parseAddress(_ address: String) throws -> (Transport, String) {
        if address.isEmpty { return (.unixgram, "/dev/log") }
        guard let range = address.firstRange(of: "://"), let transport = Transport(rawValue: String(address[..<range.lowerBound])) else {
            throw CellError(.setup, "logger: unsupported scheme in syslog-address '\(address)' (unix, unixgram, tcp, udp and tcp+tls)")
        }
        let rest = String(address[range.upperBound...])
        switch transport {
        case .unix, .unixgram:
            guard rest.hasPrefix("/") else { throw CellError(.setup, "logger: syslog-address '\(address)' needs an absolute socket path") }
            var st = stat()
            guard stat(rest, &st) == 0 else { throw CellError(.setup, "stat \(rest): \(Syscall.errorString(errno))") }
            return (transport, rest)
        case .tcp, .udp, .tcpTLS:
            let host: String, port: String
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { throw CellError(.setup, "logger: invalid syslog-address '\(address)'") }
                host = String(rest[rest.index(after: rest.startIndex)..<close])
                let after = rest[rest.index(after: close)...]
                port = after.hasPrefix(":") ? String(after.dropFirst()) : "514"
            } else if let colon = rest.lastIndex(of: ":") {
                host = String(rest[..<colon])
                port = String(rest[rest.index(after: colon)...])
            } else {
                host = rest
                port = "514"
            }
            guard !host.isEmpty, let number = UInt16(port), number > 0, !host.contains("/") else {
                throw CellError(.setup, "logger: invalid syslog-address '\(address)'")
            }
            return (transport, host.contains(":") ? "[\(host)]:\(number)" : "\(host):\(number)")
        }
    }

    /// `syslog-facility`: a name or a number, 0 to 23.
    public static func parseFacility(_ text: String) throws -> Int {
        if text.isEmpty { return 3 }
        if let number = Int(text), (0..<24).contains(number), !facilities[number].isEmpty { return number }
        if let index = facilities.firstIndex(of: text), !text.isEmpty { return index }
        throw CellError(.setup, "logger: invalid syslog facility")
    }

    /// One message, as Docker's driver writes it (newline-terminated, as Go's syslog writer
    /// ends every message).
    public func message(_ line: ArraySlice<UInt8>, error: Bool, time: Timestamp, hostname: String, pid: Int32) -> [UInt8] {
        let priority = facility << 3 | (error ? 3 : 6)
        let header: String
        switch format {
        case .unix:
            header = "<\(priority)>\(SyslogDestination.stamp(time)) \(tag)[\(pid)]: "
        case .rfc3164:
            header = "<\(priority)>\(SyslogDestination.stamp(time)) \(hostname) \(tag)[\(pid)]: "
        case .rfc5424, .rfc5424micro:
            let stamp = SyslogDestination.rfc3339(time, microseconds: format == .rfc5424micro)
            header = "<\(priority)>1 \(stamp) \(hostname) \(tag) \(pid) \(tag) - "
        }
        var bytes = Array(header.utf8)
        bytes += line
        if bytes.last != 0x0a { bytes.append(0x0a) }
        // Docker frames RFC 5424 over TLS by octet counting (RFC 5425): the length, a space.
        if transport == .tcpTLS && (format == .rfc5424 || format == .rfc5424micro) {
            return Array("\(bytes.count) ".utf8) + bytes
        }
        return bytes
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func localTime(_ time: Timestamp) -> tm {
        var seconds = time_t(time.seconds)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return parts
    }

    private static func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Go's time.Stamp in local time: `Jan _2 15:04:05`.
    static func stamp(_ time: Timestamp) -> String {
        let parts = localTime(time)
        let day = parts.tm_mday < 10 ? " \(parts.tm_mday)" : "\(parts.tm_mday)"
        return "\(months[Int(parts.tm_mon)]) \(day) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    /// RFC 3339 in local time, as Go formats it (`Z` for UTC), optionally with microseconds.
    static func rfc3339(_ time: Timestamp, microseconds: Bool) -> String {
        let parts = localTime(time)
        var text = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
        if microseconds {
            let micro = String(time.nanoseconds / 1000)
            text += "." + String(repeating: "0", count: 6 - micro.count) + micro
        }
        let offset = Int32(parts.tm_gmtoff / 60)
        if offset == 0 { return text + "Z" }
        return text + (offset < 0 ? "-" : "+") + two(abs(offset) / 60) + ":" + two(abs(offset) % 60)
    }
}
