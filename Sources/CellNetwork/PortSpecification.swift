import CellCore

/// docker's `-p` forms: `8080:5000`, `127.0.0.1::5000`, `127.0.0.1:8080:5000`, `5000`,
/// `8080:5000/udp`, ranges `8000-8001:5000-5001`, and IPv6 host addresses with or without
/// brackets (`[::1]:8080:5000`, `::1:8080:5000`). Host port 0 means "pick a free one"; no host
/// address means every address of both families (`0.0.0.0` and `[::]`).
public enum PortSpecification {
    public static func parse(_ text: String) throws -> [PortBinding] {
        var spec = Substring(text)
        var proto = "tcp"
        if let slash = spec.lastIndex(of: "/") {
            proto = String(spec[spec.index(after: slash)...]).lowercased()
            spec = spec[..<slash]
            guard proto == "tcp" || proto == "udp" else { throw invalid(text, "invalid proto: \(proto)") }
        }
        // As go-connections splits it: the last two fields are the ports, all before them the
        // address (an IPv6 one has colons of its own).
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        let containerPart = parts[parts.count - 1]
        let hostPart = parts.count > 1 ? String(parts[parts.count - 2]) : ""
        var hostIP = parts.count > 2 ? parts[..<(parts.count - 2)].joined(separator: ":") : ""
        if hostIP.hasPrefix("[") {
            guard hostIP.hasSuffix("]"), hostIP.count > 2 else { throw invalid(text, "invalid IP address \(hostIP)") }
            hostIP = String(hostIP.dropFirst().dropLast())
        }
        if !hostIP.isEmpty && SocketAddress.canonical(hostIP) == nil {
            throw invalid(text, "invalid IP address: \(hostIP)")
        }
        let containerPorts = try range(containerPart, text: text)
        guard !containerPorts.isEmpty else { throw invalid(text, "no port specified: \(text)<empty>") }
        let hostPorts: [UInt16] = hostPart.isEmpty ? Array(repeating: 0, count: containerPorts.count)
            : try range(Substring(hostPart), text: text)
        guard hostPorts.count == containerPorts.count || hostPorts.count == 1 && containerPorts.count == 1 else {
            throw invalid(text, "port ranges don't match in size")
        }
        return zip(containerPorts, hostPorts).map {
            PortBinding(containerPort: $0.0, proto: proto, hostIP: hostIP, hostPort: $0.1)
        }
    }

    /// `--expose` as the Docker CLI reads it: a port or a range, with an optional protocol
    /// (`5000`, `5000-5001/udp`), one `PORT/PROTO` key each.
    public static func exposedPorts(_ text: String) throws -> [String] {
        guard !text.contains(":") else { throw CellError.usage("invalid port format for --expose: \(text)") }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let proto = parts.count > 1 ? parts[1].lowercased() : "tcp"
        let bounds = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count <= 2, let low = UInt16(bounds[0]), let high = bounds.count == 2 ? UInt16(bounds[1]) : low,
              low <= high, !proto.isEmpty else {
            throw CellError.usage("invalid range format for --expose: \(text)")
        }
        return (low...high).map { "\($0)/\(proto)" }
    }

    static func range(_ text: Substring, text whole: String) throws -> [UInt16] {
        if text.isEmpty { return [] }
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count <= 2, let low = port(bounds[0]), let high = bounds.count == 2 ? port(bounds[1]) : low,
              low <= high else {
            throw invalid(whole, "invalid port \"\(text)\"")
        }
        return Array(low...high)
    }

    static func port(_ text: Substring) -> UInt16? {
        guard let value = UInt16(text), value > 0 else { return nil }
        return value
    }

    static func invalid(_ text: String, _ why: String) -> CellError {
        CellError.usage("invalid publish option \"\(text)\": \(why)")
    }
}
