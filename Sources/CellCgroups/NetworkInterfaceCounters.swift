import CellCore

/// One interface's counters in a network namespace, as /proc/<pid>/net/dev gives them: what
/// Docker's stats API reports per interface under `networks`.
public struct NetworkInterfaceCounters: Equatable, Sendable {
    public var name: String
    public var receivedBytes: UInt64
    public var receivedPackets: UInt64
    public var receiveErrors: UInt64
    public var receiveDropped: UInt64
    public var sentBytes: UInt64
    public var sentPackets: UInt64
    public var sendErrors: UInt64
    public var sendDropped: UInt64

    /// Every interface of the namespace `pid` is in, in the file's order.
    public static func read(pid: Int32) -> [NetworkInterfaceCounters] {
        let text = (try? FileSystem.readFileIfPresent("/proc/\(pid)/net/dev")).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return parse(text)
    }

    /// net/dev's two heading lines, then "  eth0: rx_bytes rx_packets rx_errs rx_drop fifo frame
    /// compressed multicast tx_bytes tx_packets tx_errs tx_drop ...".
    static func parse(_ text: String) -> [NetworkInterfaceCounters] {
        text.split(separator: "\n").dropFirst(2).compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let fields = parts[1].split(separator: " ").compactMap { UInt64($0) }
            guard fields.count >= 12 else { return nil }
            return NetworkInterfaceCounters(
                name: String(parts[0].trimmedWhitespace), receivedBytes: fields[0], receivedPackets: fields[1],
                receiveErrors: fields[2], receiveDropped: fields[3], sentBytes: fields[8], sentPackets: fields[9],
                sendErrors: fields[10], sendDropped: fields[11])
        }
    }
}
