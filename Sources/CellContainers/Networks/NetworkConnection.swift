import CellCore
import CellNetwork
import CellRuntime

/// `network connect` and `disconnect`: a container's further networks, each an interface of its
/// own (eth1, eth2, ...), added to or taken from a running container at once and kept in its
/// record and spec for its next starts. Only containers with a namespace of their own
/// (`--network` bridge networks, or cell's older loopback-only default) can be connected.
extension NetworkOperations {
    public func connect(_ networkReference: String, _ containerReference: String, aliases: [String], ipAddress: String?) throws {
        let container = try containers.resolve(containerReference)
        try networks.withLock(.shared) {
            guard let network = try networks.find(networkReference) else { throw CellError.notFound("network \(networkReference) not found") }
            guard let bridge = networks.bridge(of: network) else {
                throw CellError.invalidInput("container cannot be disconnected from host network or connected to host network")
            }
            let requested = try NetworkPlan.requestedAddress(ipAddress, aliases: aliases, userDefined: !network.isPredefined,
                                                             kind: .invalidInput)
            let record = try containers.withLock(container) { () throws -> ContainerRecord in
                var current = try containers.load(id: container.id)
                let mode = NetworkMode(dockerName: current.record.hostConfig.networkMode)
                guard current.record.networks != nil || mode == .private else {
                    throw CellError.invalidInput("container sharing network namespace with another container or host cannot be connected to any other network")
                }
                if current.record.networks?[network.name] != nil {
                    throw CellError.conflict("endpoint with name \(current.name) already exists in network \(network.name)")
                }
                var spec = try ContainerSpec.read(fromContainerDirectory: current.directory)
                let address = try networks.claimAddress(in: network, for: current.id, requested: requested)
                do {
                    let taken = Set(spec.networkAttachments.map(\.interfaceName))
                    let interface = (0...).lazy.map { "eth\($0)" }.first { !taken.contains($0) }!
                    let (endpoint, attachment) = NetworkPlan.placement(
                        on: network, bridge: bridge, address: address, mac: nil, aliases: aliases, interfaceName: interface,
                        defaultRoute: !network.isInternal && !spec.networkAttachments.contains(where: \.defaultRoute), store: networks)
                    if current.isRunning, let pid = current.state?.pid { try attachment.attach(toNamespaceOf: pid) }
                    spec.networkAttachments.append(attachment)
                    try spec.write(toContainerDirectory: current.directory)
                    current.record.networks = (current.record.networks ?? [:]).merging([network.name: endpoint]) { $1 }
                    try containers.save(current.record)
                } catch {
                    networks.releaseAddress(address.description, in: network.name, for: current.id)
                    throw error
                }
                return current.record
            }
            NetworkHosts.join(record, network: network, store: networks)
        }
    }

    public func disconnect(_ networkReference: String, _ containerReference: String, force: Bool) throws {
        let container = try containers.resolve(containerReference)
        guard let network = try networks.find(networkReference) else {
            if force { return }
            throw CellError.notFound("network \(networkReference) not found")
        }
        let record = try containers.withLock(container) { () throws -> ContainerRecord? in
            var current = try containers.load(id: container.id)
            guard let endpoint = current.record.networks?[network.name] else {
                if force { return nil }
                throw CellError.invalidInput("container \(current.id) is not connected to network \(network.name)")
            }
            var spec = try ContainerSpec.read(fromContainerDirectory: current.directory)
            let pid = current.isRunning ? current.state?.pid : nil
            if let index = spec.networkAttachments.firstIndex(where: { $0.address.address.description == endpoint.ipAddress }) {
                let leaving = spec.networkAttachments.remove(at: index)
                if let pid { try leaving.detach(fromNamespaceOf: pid) }
                // The default route goes to the next network with a way out.
                if leaving.defaultRoute, let next = spec.networkAttachments.firstIndex(where: { !$0.bridge.isInternal }) {
                    spec.networkAttachments[next].defaultRoute = true
                    if let pid { try? spec.networkAttachments[next].addDefaultRoute(inNamespaceOf: pid) }
                }
            }
            try spec.write(toContainerDirectory: current.directory)
            current.record.networks?[network.name] = nil
            try containers.save(current.record)
            networks.releaseAddress(endpoint.ipAddress, in: network.name, for: current.id)
            return current.record
        }
        if let record { NetworkHosts.leave(record.id, network: network, store: networks) }
    }
}
