/// `a.b.c.d/n` with the host bits zero: a network's range.
public struct IPv4Subnet: Hashable, Sendable, CustomStringConvertible {
    public let network: IPv4Address
    public let prefix: Int

    public init(network: IPv4Address, prefix: Int) {
        precondition((0...32).contains(prefix))
        self.prefix = prefix
        self.network = IPv4Address(bits: network.bits & IPv4Subnet.mask(prefix))
    }

    /// A CIDR as `network create --subnet` takes it; nil when it is not one, or when it has
    /// host bits set (Docker refuses `10.0.0.1/24` too).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])), parts[1].allSatisfy(\.isNumber),
              parts[1].count <= 2, let prefix = Int(parts[1]), (0...32).contains(prefix) else { return nil }
        guard address.bits & ~IPv4Subnet.mask(prefix) == 0 else { return nil }
        self.init(network: address, prefix: prefix)
    }

    public var mask: UInt32 { IPv4Subnet.mask(prefix) }

    public var broadcast: IPv4Address { IPv4Address(bits: network.bits | ~mask) }

    /// Addresses that hosts may have (the network and broadcast addresses excluded from /30 up).
    public var hostCount: UInt64 {
        let size = UInt64(1) << UInt64(32 - prefix)
        return size > 2 ? size - 2 : size
    }

    /// The `index`th host address, from 1 (the first after the network address).
    public func host(_ index: UInt32) -> IPv4Address {
        IPv4Address(bits: network.bits &+ index)
    }

    public func contains(_ address: IPv4Address) -> Bool {
        address.bits & mask == network.bits
    }

    public func overlaps(_ other: IPv4Subnet) -> Bool {
        contains(other.network) || other.contains(network)
    }

    /// Whether `address` may be given to a host: inside, and neither the network nor the broadcast address.
    public func isHost(_ address: IPv4Address) -> Bool {
        contains(address) && (prefix >= 31 || (address != network && address != broadcast))
    }

    public var description: String { "\(network)/\(prefix)" }

    static func mask(_ prefix: Int) -> UInt32 {
        prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
    }
}

/// An interface's address with its subnet's prefix (`172.18.0.2/16`).
public struct IPv4Interface: Hashable, Sendable, CustomStringConvertible {
    public let address: IPv4Address
    public let prefix: Int

    public init(address: IPv4Address, prefix: Int) {
        self.address = address
        self.prefix = prefix
    }

    /// `172.18.0.2/16`; nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])), parts[1].allSatisfy(\.isNumber), parts[1].count <= 2,
              let prefix = Int(parts[1]), (0...32).contains(prefix) else { return nil }
        self.init(address: address, prefix: prefix)
    }

    public var subnet: IPv4Subnet { IPv4Subnet(network: address, prefix: prefix) }

    public var description: String { "\(address)/\(prefix)" }
}
