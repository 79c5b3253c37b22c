import CellCore
import CellRuntime

/// The per-container /etc/hosts, /etc/hostname and /etc/resolv.conf.
public enum EtcFiles {
    public static func make(hostname: String, network: ContainerSpec.NetworkMode, extraHosts: [String],
                            resolver: Resolver = Resolver(), ownAddress: String? = nil, peers: [HostsEntry] = []) -> [String: [UInt8]] {
        let hosts = hostsFile(hostname: hostname, extraHosts: extraHosts, ownAddress: ownAddress, peers: peers)
        let resolv = resolver.resolvConf(host: (try? FileSystem.readFileIfPresent("/etc/resolv.conf")) ?? nil, network: network)
        return ["hosts": Array(hosts.utf8), "hostname": Array((hostname + "\n").utf8), "resolv.conf": Array(resolv.utf8)]
    }

    /// A line of /etc/hosts: an address and its names.
    public struct HostsEntry: Equatable, Sendable {
        public var address: String
        public var names: [String]
    }

    /// /etc/hosts: localhost, the container's own name (on its bridge address when it has one,
    /// as Docker writes it), `--add-host`s, then `peers`.
    static func hostsFile(hostname: String, extraHosts: [String], ownAddress: String?, peers: [HostsEntry]) -> String {
        var hosts = """
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        ff00::0\tip6-mcastprefix
        ff02::1\tip6-allnodes
        ff02::2\tip6-allrouters
        \(ownAddress ?? "127.0.0.1")\t\(hostname)

        """
        for entry in extraHosts {
            let parts = entry.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { hosts += "\(parts[1])\t\(parts[0])\n" }
        }
        for peer in peers { hosts += "\(peer.address)\t\(peer.names.joined(separator: " "))\n" }
        return hosts
    }

    /// Writes a container's /etc files again where they are missing or empty (they are not
    /// made durable when the container is created).
    static func repair(_ container: Container) throws {
        let lost = names.filter { (try? FileSystem.fileSize("\(container.directory)/\($0)")) ?? 0 == 0 }
        guard !lost.isEmpty else { return }
        let network = ContainerSpec.NetworkMode(dockerName: container.record.hostConfig.networkMode) ?? .private
        let files = make(hostname: container.record.config.hostname, network: network,
                         extraHosts: container.record.hostConfig.extraHosts, resolver: container.record.hostConfig.resolver)
        for name in lost {
            try FileSystem.writeAtomically(files[name] ?? [], to: "\(container.directory)/\(name)")
        }
    }

    /// The files `make` returns.
    static let names = ["hosts", "hostname", "resolv.conf"]
}
