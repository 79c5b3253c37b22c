#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// The bridges cell made on this host, each with the store network it belongs to, in
/// /run/cell/bridges (gone with the bridges at a reboot): what a store deleted without
/// `network rm` or `system reset` (a test runner killed, `rm -rf` of a root) left behind is
/// found here and removed by the next prune. Entries are written and judged under the host's
/// networks lock, as bridges are made.
public enum HostBridges {
    public static let directory = "/run/cell/bridges"

    static func register(_ bridge: BridgeInterface) throws {
        try FileSystem.createDirectory(directory, mode: 0o700)
        let text = [bridge.owner, bridge.gateway.description, bridge.isInternal ? "1" : "0"].joined(separator: "\n") + "\n"
        try FileSystem.writeAtomically(Array(text.utf8), to: "\(directory)/\(bridge.name)", mode: 0o600, durable: false)
    }

    static func unregister(_ name: String) {
        unlink("\(directory)/\(name)")
    }

    /// Removes the bridges (and their rules) whose store network no longer exists; their names.
    /// `owns` says whether the network recorded in a directory (which exists) is the one a
    /// bridge was made for: a network removed behind cell's back and made again under its name
    /// has a bridge of its own, and the old one is an orphan all the same.
    @discardableResult
    public static func removeOrphans(owns: (_ directory: String, _ bridge: String) -> Bool = { _, _ in true }) throws -> [String] {
        try HostNetworkLock.withLock {
            var removed: [String] = []
            for name in (try? FileSystem.contentsOfDirectory(directory)) ?? [] where name.hasPrefix(BridgeFirewall.bridgePrefix) {
                guard let bytes = try? FileSystem.readFileIfPresent("\(directory)/\(name)") else { continue }
                let fields = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
                guard fields.count == 3, fields[0].hasPrefix("/"), let gateway = IPv4Interface(parsing: fields[1]) else {
                    unregister(name)
                    continue
                }
                guard !FileSystem.exists("\(fields[0])/network.json") || !owns(fields[0], name) else { continue }
                try BridgeInterface(name: name, gateway: gateway, isInternal: fields[2] == "1", owner: fields[0]).remove()
                removed.append(name)
            }
            return removed
        }
    }
}
