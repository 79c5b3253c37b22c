import CellCore
import CellImage
import CellNetwork

/// `cell network ...`: the store's networks beside the containers on them. A network is in use
/// while any container's record (running or not) names it, as in Docker; removal decides under
/// the networks lock held exclusive, so that no container is being made on it meanwhile.
public struct NetworkOperations {
    public let networks: NetworkStore
    public let containers: ContainerStore

    public init(root: String) throws {
        let layout = StoreLayout(root: root)
        networks = NetworkStore(layout: layout)
        containers = try ContainerStore(layout: layout)
    }

    /// Network name → the containers whose records put them on it.
    public func members() throws -> [String: [Container]] {
        var members: [String: [Container]] = [:]
        for container in try containers.list() {
            for name in (container.record.networks ?? [:]).keys { members[name, default: []].append(container) }
        }
        return members
    }

    /// `network ls`: the networks `filter` admits, the predefined ones first.
    public func list(_ filter: NetworkFilter) throws -> [Network] {
        let used = filter.needsMembers ? try members() : [:]
        return try networks.list().filter { filter.admits($0, hasMembers: used[$0.name] != nil) }
    }

    /// `network rm`: Docker's refusals for a predefined network, one with containers on it
    /// (naming them) or a missing one.
    public func remove(_ reference: String) throws -> Network {
        try networks.withLock(.exclusive) {
            guard let network = try networks.find(reference) else { throw CellError.notFound("network \(reference) not found") }
            if network.isPredefined {
                throw CellError.conflict("\(network.name) is a pre-defined network and cannot be removed")
            }
            if let using = try members()[network.name], !using.isEmpty {
                throw CellError.conflict("error while removing network: network \(network.name) id \(network.id) has active endpoints (\(using.map(\.name).sorted().joined(separator: ", ")))")
            }
            try networks.remove(network)
            return network
        }
    }

    /// `network prune`: user-defined networks no container is on, that `filter` keeps; and the
    /// bridges of any store's networks that are gone without their bridge (`HostBridges`).
    public func prune(filter: (Network) -> Bool = { _ in true }) throws -> [Network] {
        try HostBridges.removeOrphans(owns: NetworkOperations.recordOwns)
        return try networks.withLock(.exclusive) {
            let used = try members()
            var removed: [Network] = []
            for network in try networks.list() where !network.isPredefined && used[network.name] == nil && filter(network) {
                try networks.remove(network)
                removed.append(network)
            }
            return removed
        }
    }

    /// Whether the network recorded in `directory` is the one `bridge` was made for; a record
    /// that cannot be read is given the benefit of the doubt.
    static func recordOwns(_ directory: String, _ bridge: String) -> Bool {
        guard let bytes = try? FileSystem.readFileIfPresent("\(directory)/network.json") else { return true }
        guard let network = try? StoredJSON.decode(Network.self, from: bytes, what: directory) else { return true }
        return BridgeInterface.name(forNetworkID: network.id) == bridge
    }

    /// After a container is gone: its addresses given back, and its name out of its peers'
    /// hosts files.
    public func release(_ record: ContainerRecord) {
        guard let joined = record.networks, !joined.isEmpty else { return }
        for (name, endpoint) in joined {
            networks.releaseAddress(endpoint.ipAddress, in: name, for: record.id)
            if let network = try? networks.find(name) { NetworkHosts.leave(record.id, network: network, store: networks) }
        }
    }

    /// Every network with its interface and rules removed, the predefined `bridge` too, and no
    /// container left: what `system reset` leaves of networking. Containers must be gone first.
    public func removeAll() throws {
        try networks.withLock(.exclusive) {
            for network in try networks.list() { try networks.remove(network) }
        }
    }
}
