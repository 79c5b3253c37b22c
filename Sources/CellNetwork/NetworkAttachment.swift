#if canImport(Glibc)
import Glibc
#endif
import CellCore
internal import CellNetlink

/// A container's place on a bridge network, as its monitor plumbs it: a veth pair whose host
/// end is a port of the bridge and whose other end is `interfaceName` in the container's
/// namespace, with the address, MAC and default route the network gave it.
public struct NetworkAttachment: Sendable, Equatable {
    public var bridge: BridgeInterface
    public var address: IPv4Interface
    public var macAddress: [UInt8]
    public var interfaceName: String
    /// Whether the container's default route goes through this network's gateway (the first
    /// network a container joins; never an internal one).
    public var defaultRoute: Bool
    /// The store's file that gives the address to the container: a `--rm` container's monitor
    /// deletes it when it takes the container out of the store.
    public var addressClaim: String

    public init(bridge: BridgeInterface, address: IPv4Interface, macAddress: [UInt8], interfaceName: String, defaultRoute: Bool,
                addressClaim: String) {
        self.bridge = bridge
        self.address = address
        self.macAddress = macAddress
        self.interfaceName = interfaceName
        self.defaultRoute = defaultRoute
        self.addressClaim = addressClaim
    }

    /// Docker's: 02:42 and the four bytes of the address, unique on the bridge as the address is.
    public static func macAddress(for address: IPv4Address) -> [UInt8] {
        [0x02, 0x42] + address.octets
    }

    public static func parseMAC(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        // Two hex digits each: Swift's integer parsing also takes a sign (`+2:42:...`).
        let bytes = parts.compactMap { part in
            part.utf8.count == 2 && part.utf8.allSatisfy({ $0 < 0x80 && Character(Unicode.Scalar($0)).isHexDigit }) ? UInt8(part, radix: 16) : nil
        }
        // A multicast address (low bit of the first byte) cannot be an interface's.
        guard bytes.count == 6, bytes[0] & 1 == 0, bytes != [0, 0, 0, 0, 0, 0] else { return nil }
        return bytes
    }

    public static func formatMAC(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }

    /// Plumbs the container whose process is `pid` (waiting before its exec) into the bridge.
    /// The host end needs no removal: it goes with the namespace when the container's last
    /// process exits.
    public func attach(toNamespaceOf pid: pid_t) throws {
        let bridgeIndex = try bridge.ensure()
        let host = try RouteNetlink()
        // veth + 7 hex digits as Docker names them; another store may have drawn the same.
        var attempts = 0
        var hostName: String
        while true {
            hostName = "veth" + String(UInt32.random(in: 0x1000000...0xfffffff), radix: 16)
            do {
                try host.addVethPair(hostName: hostName, bridge: bridgeIndex, peerName: interfaceName,
                                     peerAddress: macAddress, peerProcess: pid)
                break
            } catch {
                attempts += 1
                if attempts == 3 || (try? host.index(of: hostName)) == nil { throw error }
            }
        }
        if let hostIndex = try host.index(of: hostName) { try host.setUp(hostIndex, name: hostName) }
        let namespace = try FileDescriptorHandle(path: "/proc/\(pid)/ns/net", flags: O_RDONLY)
        let inside = try RouteNetlink(namespace: namespace.fd)
        guard let index = try inside.index(of: interfaceName) else {
            throw CellError.system("\(interfaceName) did not appear in the container's namespace")
        }
        try inside.addAddress(address.address.description, prefix: address.prefix, broadcast: address.subnet.broadcast.description, to: index)
        try inside.setUp(index, name: interfaceName)
        if defaultRoute { try inside.addDefaultRoute(via: bridge.gateway.address.description, interface: index) }
    }

    /// `network disconnect` of a running container: its interface deleted inside its namespace
    /// (the host end goes with it).
    public func detach(fromNamespaceOf pid: pid_t) throws {
        let namespace = try FileDescriptorHandle(path: "/proc/\(pid)/ns/net", flags: O_RDONLY)
        try RouteNetlink(namespace: namespace.fd).deleteLink(named: interfaceName)
    }

    /// The default route through this network's gateway, in a running container (the network
    /// that had it was disconnected).
    public func addDefaultRoute(inNamespaceOf pid: pid_t) throws {
        let namespace = try FileDescriptorHandle(path: "/proc/\(pid)/ns/net", flags: O_RDONLY)
        let inside = try RouteNetlink(namespace: namespace.fd)
        guard let index = try inside.index(of: interfaceName) else { return }
        try inside.addDefaultRoute(via: bridge.gateway.address.description, interface: index)
    }
}
