import CellContainers
import CellFormat
import CellNetwork

/// A container's published ports as Docker 28 shows them: `port`'s lines, the PORTS column of
/// `ps`. A port published with no host address listens on `0.0.0.0` and `[::]`, and shows twice.
public enum PortListing {
    /// `docker port C`: `80/tcp -> 0.0.0.0:8080`, `80/tcp -> [::]:8080`, in the CLI's natural order.
    public static func lines(_ ports: [PublishedPort]) -> [String] {
        ports.map { "\($0.containerPort)/\($0.protocol.rawValue) -> \(address($0))" }.sorted(by: NaturalOrder.isLess)
    }

    /// `docker port C 80/tcp`: `0.0.0.0:8080`, `[::]:8080`.
    public static func addresses(_ ports: [PublishedPort], containerPort: UInt16, proto: String) -> [String] {
        ports.filter { $0.containerPort == containerPort && $0.protocol.rawValue == proto }.map(address).sorted(by: NaturalOrder.isLess)
    }

    /// `host:port`, an IPv6 host in brackets.
    static func address(_ port: PublishedPort) -> String {
        SocketAddress.join(host: port.hostAddress, port: String(port.hostPort))
    }

    /// One port for the PORTS column: published (host address and port) or only exposed.
    struct Entry {
        var containerPort: UInt16
        var proto: String
        var hostAddress = ""
        var hostPort: UInt16 = 0
    }

    /// The PORTS column as the Docker CLI composes it: sorted by container port, then host
    /// address; ports published on the same number, and exposed ones, joined into ranges by
    /// address and protocol (`0.0.0.0:80-81->80-81/tcp`, `5000-5001/tcp`); ports published on
    /// another number last, one by one (`0.0.0.0:8080->80/tcp, [::]:8080->80/tcp`).
    public static func column(published: [PublishedPort], exposed: [String]) -> String {
        var entries = published.map {
            Entry(containerPort: $0.containerPort, proto: $0.protocol.rawValue, hostAddress: $0.hostAddress, hostPort: $0.hostPort)
        }
        let covered = Set(published.map { "\($0.containerPort)/\($0.protocol.rawValue)" })
        for port in exposed where !covered.contains(port) {
            let parts = port.split(separator: "/", maxSplits: 1)
            guard let number = UInt16(parts[0]) else { continue }
            entries.append(Entry(containerPort: number, proto: parts.count > 1 ? String(parts[1]) : "tcp"))
        }
        entries.sort { a, b in
            if a.containerPort != b.containerPort { return a.containerPort < b.containerPort }
            if a.hostAddress != b.hostAddress { return a.hostAddress < b.hostAddress }
            if a.hostPort != b.hostPort { return a.hostPort < b.hostPort }
            return a.proto < b.proto
        }
        // The open run of consecutive container ports under each key (address and protocol),
        // and the keys in the order they first appeared.
        var runs: [String: Run] = [:]
        var keys: [String] = []
        var groups: [String] = []
        var renumbered: [String] = []
        for entry in entries {
            if !entry.hostAddress.isEmpty && entry.hostPort != entry.containerPort {
                renumbered.append("\(SocketAddress.join(host: entry.hostAddress, port: String(entry.hostPort)))->\(entry.containerPort)/\(entry.proto)")
                continue
            }
            let key = entry.hostAddress + "/" + entry.proto
            guard let run = runs[key] else {
                runs[key] = Run(entry: entry, first: entry.containerPort, last: entry.containerPort)
                keys.append(key)
                continue
            }
            if run.last &+ 1 == entry.containerPort {
                runs[key]?.last = entry.containerPort
                continue
            }
            // A gap: the run is shown now, and a new one starts.
            groups.append(run.text)
            runs[key] = Run(entry: entry, first: entry.containerPort, last: entry.containerPort)
        }
        groups += keys.compactMap { runs[$0]?.text }
        return (groups + renumbered).joined(separator: ", ")
    }

    /// Container ports `first...last` under one address and protocol.
    struct Run {
        var entry: Entry
        var first: UInt16
        var last: UInt16

        var text: String {
            let ports = first == last ? "\(first)" : "\(first)-\(last)"
            if entry.hostAddress.isEmpty { return "\(ports)/\(entry.proto)" }
            return "\(SocketAddress.join(host: entry.hostAddress, port: ports))->\(ports)/\(entry.proto)"
        }
    }
}
