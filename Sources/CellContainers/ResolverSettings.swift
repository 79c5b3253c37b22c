#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime

extension EtcFiles {
    /// `--dns`, `--dns-search` and `--dns-option`: what of the host's resolv.conf a container's
    /// replaces, as Docker composes it (each given flag replaces its kind of line; `.` as the
    /// search domain means none).
    public struct Resolver: Equatable, Sendable {
        public var servers: [String]
        public var search: [String]
        public var options: [String]

        public init(servers: [String] = [], search: [String] = [], options: [String] = []) {
            self.servers = servers
            self.search = search
            self.options = options
        }

        /// Refuses what Docker's CLI refuses: a server that is not an IP address.
        public func checked() throws -> Resolver {
            for server in servers where !Resolver.isIPAddress(server) {
                throw CellError.usage("invalid argument \"\(server)\" for \"--dns\" flag: IP address is not correctly formatted: \(server)")
            }
            try NULByte.check(servers + search + options, as: "DNS setting")
            return self
        }

        static func isIPAddress(_ text: String) -> Bool {
            var buffer = [UInt8](repeating: 0, count: 16)
            return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
        }

        /// The container's resolv.conf from the host's (`host`, nil when it has none).
        func resolvConf(host: [UInt8]?, network: ContainerSpec.NetworkMode) -> String {
            var lines = host.map { String(decoding: $0, as: UTF8.self).split(separator: "\n").map(String.init) } ?? []
            // A loopback resolver on the host is unreachable from a private network namespace.
            lines.removeAll { network != .host && $0.hasPrefix("nameserver 127.") }
            func replace(_ keywords: [String], with line: String?) {
                lines.removeAll { line in keywords.contains { line.hasPrefix($0 + " ") || line.hasPrefix($0 + "\t") } }
                if let line { lines.append(line) }
            }
            if !servers.isEmpty {
                replace(["nameserver"], with: nil)
                lines += servers.map { "nameserver \($0)" }
            }
            if !search.isEmpty { replace(["search", "domain"], with: search == ["."] ? nil : "search " + search.joined(separator: " ")) }
            if !options.isEmpty { replace(["options"], with: "options " + options.joined(separator: " ")) }
            if !lines.contains(where: { $0.hasPrefix("nameserver") }) {
                return "nameserver 127.0.0.11\noptions ndots:0\n"
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
