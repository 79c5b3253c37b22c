#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellNetwork

/// Names on a user-defined network, without a daemon: each member's /etc/hosts lists its peers
/// (name, `--network-alias`es, short id: Docker's DNS names) at their addresses, and is rewritten by whoever changes
/// the membership (a container made, removed or renamed), in place, since it is bind-mounted
/// into a running container and a rename would leave the container the old file.
///
/// The trade-off against a resolver (Docker's 127.0.0.11): nothing runs, nothing to keep alive
/// and no query path at all, and a name is visible as soon as its container is made; but a
/// program that read /etc/hosts once does not see later peers, and a reader can meet a file
/// half rewritten (the rewrite is one write(2) of a few hundred bytes; a reader opening it then
/// sees the old or the new content on every file system cell runs on, short of a torn page).
/// An address stays a container's from its creation to its removal, so a stopped peer's line
/// stays true: its address is its own again when it starts.
enum NetworkHosts {
    /// The peers `record` sees on its user-defined networks; `members` are the records of
    /// every container on them, by id.
    static func peers(of record: ContainerRecord, members: [String: ContainerRecord], networks: [String: Network]) -> [EtcFiles.HostsEntry] {
        var entries: [EtcFiles.HostsEntry] = []
        for (networkName, _) in (record.networks ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let network = networks[networkName], network.resolvesNames else { continue }
            for peer in members.values.sorted(by: { $0.name < $1.name }) where peer.id != record.id {
                guard let endpoint = peer.networks?[networkName], endpoint.networkID == network.id else { continue }
                let name = peer.name.hasPrefix("/") ? String(peer.name.dropFirst()) : peer.name
                entries.append(EtcFiles.HostsEntry(address: endpoint.ipAddress, names: [name] + endpoint.aliases + [String(peer.id.prefix(12))]))
            }
        }
        return entries
    }

    /// Rewrites the hosts file of every container on the networks named (user-defined ones).
    static func refresh(networks names: [String], store: NetworkStore, containers: ContainerStore) {
        var networks: [String: Network] = [:]
        for name in Set(names) {
            if let network = try? store.find(name), network.resolvesNames { networks[name] = network }
        }
        guard !networks.isEmpty else { return }
        var members: [String: Container] = [:]
        for network in networks.values {
            for claim in store.claims(in: network) where members[claim.container] == nil {
                if let container = try? containers.load(id: claim.container) { members[claim.container] = container }
            }
        }
        let records = members.mapValues(\.record)
        for container in members.values {
            let record = container.record
            // Every network of a member counts, also those not being refreshed.
            var known = networks
            for name in (record.networks ?? [:]).keys where known[name] == nil {
                if let network = try? store.find(name) { known[name] = network }
            }
            let hosts = EtcFiles.hostsFile(hostname: record.config.hostname, extraHosts: record.hostConfig.extraHosts,
                                           ownAddress: record.networks?.values.sorted(by: { $0.networkID < $1.networkID }).first?.ipAddress,
                                           peers: peers(of: record, members: records, networks: known))
            try? rewriteInPlace("\(container.directory)/hosts", with: Array(hosts.utf8))
        }
    }

    /// One write from offset 0, then the file cut to it, under an flock that serializes
    /// rewriters of the same file.
    static func rewriteInPlace(_ path: String, with bytes: [UInt8]) throws {
        let handle = try FileDescriptorHandle(path: path, flags: O_WRONLY | O_NOFOLLOW)
        defer { try? handle.close() }
        guard flock(handle.fd, LOCK_EX) == 0 else { throw CellError.system("lock \(path): \(Syscall.errorString(errno))") }
        let written = bytes.withUnsafeBytes { pwrite(handle.fd, $0.baseAddress, $0.count, 0) }
        guard written == bytes.count, ftruncate(handle.fd, off_t(bytes.count)) == 0 else {
            throw CellError.system("write \(path): \(Syscall.errorString(errno))")
        }
    }
}
