/// An IPv4 address as 32 bits, most significant octet first.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var bits: UInt32

    public init(bits: UInt32) {
        self.bits = bits
    }

    /// Dotted quad only (`10.1.2.3`): no shorthand, no leading zeros beyond one digit's worth,
    /// so that one address has one spelling in files named by it.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bits: UInt32 = 0
        for part in parts {
            // Digits alone: Swift's integer parsing also takes a sign (`+10.0.0.1`).
            guard (1...3).contains(part.count), part.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = UInt8(part),
                  part.count == 1 || part.first != "0" else { return nil }
            bits = bits << 8 | UInt32(value)
        }
        self.bits = bits
    }

    public var octets: [UInt8] {
        [UInt8(bits >> 24), UInt8(bits >> 16 & 0xff), UInt8(bits >> 8 & 0xff), UInt8(bits & 0xff)]
    }

    public var description: String {
        octets.map { String($0) }.joined(separator: ".")
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool {
        lhs.bits < rhs.bits
    }
}
