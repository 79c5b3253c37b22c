#if canImport(Glibc)
import Glibc
#endif
import CellCore
internal import CellNetlink

/// A bridge network's Linux bridge on the host: its name, the gateway address it carries (the
/// host's side of the subnet, which also puts the subnet in the host's routes, so no other
/// network takes it), and its firewall rules.
public struct BridgeInterface: Sendable, Equatable {
    public let name: String
    public let gateway: IPv4Interface
    public let isInternal: Bool
    /// The store's directory of the network it belongs to: gone, the bridge is an orphan.
    public let owner: String

    public init(name: String, gateway: IPv4Interface, isInternal: Bool, owner: String) {
        self.name = name
        self.gateway = gateway
        self.isInternal = isInternal
        self.owner = owner
    }

    /// `cell-` and ten hex digits of the network's id: 15 characters, the kernel's limit, and
    /// unique across the stores of one host.
    public static func name(forNetworkID id: String) -> String {
        BridgeFirewall.bridgePrefix + String(id.prefix(10))
    }

    var firewall: BridgeFirewall { BridgeFirewall(bridge: name, subnet: gateway.subnet, isInternal: isInternal) }

    /// Makes the bridge, its address and its rules when it is missing (first use, or after a
    /// reboot); returns its interface index.
    @discardableResult
    public func ensure() throws -> Int32 {
        let netlink = try RouteNetlink()
        if let index = try existingIndex(netlink) {
            // A bridge an older cell made has IPv6 on (see `BridgeIPv6`).
            try BridgeIPv6.disable(on: name)
            return index
        }
        // Whoever makes it holds the host's networks lock, so two stores (or two commands) do not
        // both make it, and its subnet is checked against the host's routes and taken in one step.
        return try HostNetworkLock.withLock { try create(netlink) }
    }

    /// `ensure` for a caller that holds the host's networks lock already.
    @discardableResult
    public func ensureLocked() throws -> Int32 {
        try create(try RouteNetlink())
    }

    private func existingIndex(_ netlink: RouteNetlink) throws -> Int32? {
        guard let index = try netlink.index(of: name),
              try netlink.hasAddress(gateway.address.description, prefix: gateway.prefix, on: index) else { return nil }
        return index
    }

    /// A bridge half made by a killed command (no address, or down) is completed.
    private func create(_ netlink: RouteNetlink) throws -> Int32 {
        if let index = try existingIndex(netlink) {
            try BridgeIPv6.disable(on: name)
            return index
        }
        // The subnet may have been taken meanwhile (another store's network, a VPN, a reboot
        // into other routes): two bridges on one subnet would leave the host unable to reach either.
        if let taken = HostRoutes.routes().first(where: { $0.subnet.overlaps(gateway.subnet) && $0.interface != name }) {
            throw CellError.conflict("network subnet \(gateway.subnet) overlaps \(taken.subnet) routed through \(taken.interface)")
        }
        // Registered before it exists, so that a command killed from here on leaves a bridge
        // the next prune finds (its network's record is not in place yet, or never will be).
        try HostBridges.register(self)
        if try netlink.index(of: name) == nil { try netlink.addBridge(name) }
        guard let index = try netlink.index(of: name) else { throw CellError.system("bridge \(name) vanished") }
        try netlink.addAddress(gateway.address.description, prefix: gateway.prefix, broadcast: gateway.subnet.broadcast.description, to: index)
        // Before it is up, so it never has a link-local address for a moment.
        try BridgeIPv6.disable(on: name)
        try netlink.setUp(index, name: name)
        firewall.remove()
        try firewall.install()
        return index
    }

    /// Deletes the bridge and its rules (nothing when they are gone already).
    public func remove() throws {
        firewall.remove()
        try RouteNetlink().deleteLink(named: name)
        HostBridges.unregister(name)
    }
}

/// One lock for the whole host (/run/cell/networks.lock): subnets and bridge names are the
/// host's, shared by every store on it.
public enum HostNetworkLock {
    public static let path = "/run/cell/networks.lock"

    public static func withLock<T>(_ body: () throws -> T) throws -> T {
        try FileSystem.createDirectory("/run/cell", mode: 0o700)
        return try FileLock(path: path).withLock(.exclusive, body)
    }
}
