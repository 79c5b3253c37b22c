import CellCore
import CellFormat
import CellNetwork

/// Where bridge networks take their subnets, in `$CELL_CONFIG_DIR/network.json` (/etc/cell), in
/// the words of Docker's daemon.json:
///
///     { "bip": "172.17.0.1/16",
///       "default-address-pools": [ { "base": "172.18.0.0/16", "size": 16 } ] }
///
/// `bip` is the default `bridge` network's gateway and subnet; the pools are carved into
/// subnets of `size` bits for networks made without `--subnet`. Docker's defaults when absent.
public struct NetworkDefaults: Equatable, Sendable {
    public static let fileName = "network.json"

    public struct Pool: Equatable, Sendable {
        public var base: IPv4Subnet
        public var size: Int

        public init(base: IPv4Subnet, size: Int) {
            self.base = base
            self.size = size
        }
    }

    public var bridgeGateway: IPv4Interface
    public var pools: [Pool]

    public init() {
        bridgeGateway = IPv4Interface(address: IPv4Address("172.17.0.1")!, prefix: 16)
        // Docker's: 172.17.0.0/16 to 172.31.0.0/16, then 192.168.0.0/16 in /20s.
        pools = (17...31).map { Pool(base: IPv4Subnet("172.\($0).0.0/16")!, size: 16) } + [Pool(base: IPv4Subnet("192.168.0.0/16")!, size: 20)]
    }

    public init(reading directory: String) throws {
        self.init()
        guard let (path, fields) = try SettingsFile.read(NetworkDefaults.fileName, in: directory) else { return }
        for (key, value) in fields {
            switch key {
            case "bip":
                guard let text = value.stringValue, let gateway = NetworkDefaults.interface(text) else {
                    throw CellError.invalidInput("\(path): bip must be an address with its prefix, as 172.17.0.1/16")
                }
                bridgeGateway = gateway
            case "default-address-pools":
                guard let entries = value.arrayValue else { throw CellError.invalidInput("\(path): default-address-pools must be a list") }
                pools = try entries.map { entry in
                    guard let base = entry["base"]?.stringValue.flatMap(IPv4Subnet.init), let size = entry["size"]?.integerValue.map({ Int($0) }),
                          (base.prefix...30).contains(size) else {
                        throw CellError.invalidInput("\(path): each default address pool needs a base subnet and a size between its prefix and 30")
                    }
                    return Pool(base: base, size: size)
                }
            default:
                throw CellError.invalidInput("\(path): unknown key \(key) (bip, default-address-pools)")
            }
        }
    }

    public static func current() throws -> NetworkDefaults {
        try NetworkDefaults(reading: ConfigurationDirectory.current)
    }

    /// `172.17.0.1/16`: an address with the prefix of its subnet.
    static func interface(_ text: String) -> IPv4Interface? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])), let prefix = Int(parts[1]), (1...30).contains(prefix) else { return nil }
        return IPv4Interface(address: address, prefix: prefix)
    }

    /// The pools' subnets in order.
    func candidates() -> [IPv4Subnet] {
        pools.flatMap { pool -> [IPv4Subnet] in
            let count = 1 << min(pool.size - pool.base.prefix, 16)
            let step = UInt32(1) << UInt32(32 - pool.size)
            return (0..<count).map { IPv4Subnet(network: IPv4Address(bits: pool.base.network.bits &+ UInt32($0) &* step), prefix: pool.size) }
        }
    }
}
