#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// A bridge network's rules in the host's firewall, through iptables-restore (one process for
/// all of them, and the xtables lock waited for): outbound NAT, forwarding in and out, and
/// isolation from every other cell bridge. `--internal` gets no way out and no way to the host.
///
/// iptables rather than nftables: on a host where Docker, podman or firewalld keep their rules
/// in iptables' tables, rules of another nftables table would not be seen by them (nor theirs
/// by cell's); iptables-nft writes the same kernel tables either way.
public struct BridgeFirewall: Sendable {
    public let bridge: String
    public let subnet: IPv4Subnet
    public let isInternal: Bool

    public init(bridge: String, subnet: IPv4Subnet, isInternal: Bool) {
        self.bridge = bridge
        self.subnet = subnet
        self.isInternal = isInternal
    }

    /// The prefix every cell bridge's name has (`-o cell-+` matches them all).
    public static let bridgePrefix = "cell-"

    /// The rules in the order they take at the top of their chains.
    public var rules: [(table: String, chain: String, rule: String)] {
        var rules: [(String, String, String)] = [("filter", "FORWARD", "-i \(bridge) -o \(bridge) -j ACCEPT")]
        if isInternal {
            rules += [
                ("filter", "FORWARD", "-i \(bridge) -j DROP"),
                ("filter", "FORWARD", "-o \(bridge) -j DROP"),
                ("filter", "INPUT", "-i \(bridge) -j DROP"),
            ]
        } else {
            rules += [
                ("filter", "FORWARD", "-i \(bridge) -o \(BridgeFirewall.bridgePrefix)+ -j DROP"),
                // A container that sets another source address (NET_ADMIN, or NET_RAW's raw
                // sockets) would send it out un-masqueraded, onto the host's networks.
                ("filter", "FORWARD", "-i \(bridge) ! -s \(subnet) -j DROP"),
                ("filter", "FORWARD", "-i \(bridge) -j ACCEPT"),
                ("filter", "FORWARD", "-o \(bridge) -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"),
                // Nothing else is routed in: a machine of the host's network that routes the
                // subnet through the host would reach every container port, published or not
                // (as Docker 28 closes it). Published ports come through the host's proxy,
                // which is the host's own traffic, and the bridge's own traffic is accepted above.
                ("filter", "FORWARD", "-o \(bridge) -j DROP"),
                ("nat", "POSTROUTING", "-s \(subnet) ! -o \(bridge) -j MASQUERADE"),
            ]
        }
        return rules
    }

    /// Adds the rules (and turns IPv4 forwarding on for a network with a way out, as Docker does).
    public func install() throws {
        // Each inserted at the top, so the last first.
        try apply(rules.reversed().map { ($0.table, "-I \($0.chain) \($0.rule)") })
        if !isInternal { try turnForwardingOn() }
    }

    /// Forwarding is the host's, for every interface: a host that did not route before (two
    /// networks on two interfaces, a VPN beside a LAN) would start routing between all of them.
    /// So, as Docker does, when cell is the one that turns it on, the FORWARD chain's policy
    /// becomes DROP first; cell's networks have their own ACCEPT rules. A host that routed
    /// already keeps its policy.
    private func turnForwardingOn() throws {
        let path = "/proc/sys/net/ipv4/ip_forward"
        let current = try FileSystem.readFileIfPresent(path) ?? []
        guard current.first != UInt8(ascii: "1") else { return }
        try apply([("filter", ":FORWARD DROP [0:0]")])
        let forwarding = try FileDescriptorHandle(path: path, flags: O_WRONLY)
        defer { try? forwarding.close() }
        try forwarding.writeAll(Array("1\n".utf8))
    }

    /// Removes the rules; the ones already gone are skipped.
    public func remove() {
        for rule in rules {
            try? apply([(rule.table, "-D \(rule.chain) \(rule.rule)")])
        }
    }

    private func apply(_ lines: [(table: String, line: String)]) throws {
        var input = ""
        for table in ["filter", "nat"] {
            let own = lines.filter { $0.table == table }
            guard !own.isEmpty else { continue }
            input += "*\(table)\n" + own.map { "\($0.line)\n" }.joined() + "COMMIT\n"
        }
        let tool = try BridgeFirewall.restoreTool()
        let result = try HostCommand.run(tool, ["--noflush", "--wait"], input: Array(input.utf8), mergingErrors: true)
        guard result.status == 0 else {
            let message = String(decoding: result.output, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "exit \(result.status)"
            throw CellError.system("firewall rules for \(bridge): \(message)")
        }
    }

    static func restoreTool() throws -> String {
        for path in ["/usr/sbin/iptables-restore", "/sbin/iptables-restore", "/usr/bin/iptables-restore"] where FileSystem.exists(path) {
            return path
        }
        throw CellError.system("iptables-restore is not installed (Debian's iptables package): bridge networks need it")
    }
}
