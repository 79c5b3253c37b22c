/// An IPv4 address as 32 bits (only to match insecure-registries' CIDRs).
struct IPv4Address {
    var bits: UInt32

    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bits: UInt32 = 0
        for part in parts {
            guard let value = UInt8(part), part.count <= 3 else { return nil }
            bits = bits << 8 | UInt32(value)
        }
        self.bits = bits
    }
}

/// `a.b.c.d/n`.
struct IPv4Network {
    var address: IPv4Address
    var prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let address = IPv4Address(String(parts[0])), let prefix = Int(parts[1]), (0...32).contains(prefix) else {
            return nil
        }
        self.address = address
        self.prefix = prefix
    }

    func contains(_ other: IPv4Address) -> Bool {
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefix)
        return other.bits & mask == address.bits & mask
    }
}
