import CellCore

/// The IPv4 destinations the host routes (its own interfaces' subnets and the routes it was
/// given), read from /proc/net/route: a new network's subnet must not take any of them, or the
/// host would lose its way to them.
public enum HostRoutes {
    public struct Route: Sendable, Equatable {
        public let interface: String
        public let subnet: IPv4Subnet
    }

    /// Every route but the default one.
    public static func routes(table: String = "/proc/net/route") -> [Route] {
        guard let bytes = try? FileSystem.readFileIfPresent(table) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
            guard fields.count >= 8, let destination = UInt32(fields[1], radix: 16),
                  let mask = UInt32(fields[7], radix: 16), mask != 0 else { return nil }
            // The kernel prints the network-order word as a native integer.
            return Route(interface: String(fields[0]),
                         subnet: IPv4Subnet(network: IPv4Address(bits: UInt32(bigEndian: destination)), prefix: mask.nonzeroBitCount))
        }
    }
}
