import CellCore
import CellNetwork
import CellRuntime

/// What `--network`, `--ip`, `--mac-address` and `--network-alias` make of a container: the
/// namespace mode, and on a bridge network the address it takes, the endpoint its record keeps
/// and the attachment its monitor plumbs.
struct NetworkPlan {
    let mode: NetworkMode
    /// The bridge network joined; nil for the namespace-only modes.
    let network: Network?
    let requestedAddress: IPv4Address?
    let requestedMAC: [UInt8]?
    let aliases: [String]
    /// `--network container:NAME`: that container's hostname, which this one takes, as in Docker.
    let donorHostname: String?

    init(_ options: RunOptions, store: NetworkStore, containers: ContainerStore) throws {
        if let reference = NamespaceDonors.reference(in: options.network) {
            guard let donor = try containers.find(reference) else { throw CellError(.notFound, "No such container: \(reference)") }
            try NetworkPlan.checkJoinable(options)
            (mode, network, donorHostname) = (.container, nil, donor.record.config.hostname)
            (requestedAddress, requestedMAC, aliases) = (nil, nil, [])
            return
        }
        donorHostname = nil
        (mode, network) = try NetworkPlan.resolve(options.network, store: store)
        if !options.links.isEmpty && network == nil {
            throw CellError(.setup, "conflicting options: \(options.network) type networking can't be used with links. This would result in undefined behavior")
        }
        requestedAddress = try NetworkPlan.requestedAddress(options.ipAddress, aliases: options.networkAliases,
                                                            userDefined: network.map { !$0.isPredefined } ?? false, kind: .setup)
        if let text = options.macAddress {
            guard let mac = NetworkAttachment.parseMAC(text) else { throw CellError(.usage, "\(text) is not a valid mac address") }
            guard network != nil else { throw CellError(.setup, "conflicting options: mac-address and the network mode") }
            requestedMAC = mac
        } else {
            requestedMAC = nil
        }
        aliases = options.networkAliases
    }

    /// `--network NAME`: the modes by their names, else a network of the store; no `--network`
    /// is Docker's default, the `bridge` network.
    private static func resolve(_ requested: String, store: NetworkStore) throws -> (NetworkMode, Network?) {
        let name = requested == "default" ? "bridge" : requested
        if let mode = NetworkMode(dockerName: name), name != "bridge" { return (mode, nil) }
        guard let network = try store.find(name) else { throw CellError(.setup, "network \(name) not found") }
        switch network.driver {
        case "host": return (.host, nil)
        case "null": return (.none, nil)
        default: return (.private, network)
        }
    }

    /// `--ip` and `--network-alias`es, as creation and `network connect` take them: for a
    /// user-defined network only, in Docker's words; the address parsed, the aliases checked.
    static func requestedAddress(_ text: String?, aliases: [String], userDefined: Bool, kind: CellError.Kind) throws -> IPv4Address? {
        var address: IPv4Address?
        if let text {
            guard userDefined else { throw CellError(kind, "user specified IP address is supported on user defined networks only") }
            guard let parsed = IPv4Address(text) else { throw CellError(kind, "invalid IPv4 address: \(text)") }
            address = parsed
        }
        if !aliases.isEmpty && !userDefined {
            throw CellError(kind, "network-scoped alias is supported only for containers in user defined networks")
        }
        try checkAliases(aliases)
        return address
    }

    /// `--network-alias`es are lines of the peers' /etc/hosts: names only (letters, digits,
    /// `_`, `.` and `-`, starting with a letter or digit), never a space or a line break.
    static func checkAliases(_ aliases: [String]) throws {
        for alias in aliases where !NetworkStore.isValidName(alias) || alias.utf8.count > 253 {
            throw CellError(.setup, "invalid network alias \(GoQuote.quote(alias)): only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }
    }

    /// `--link NAME[:ALIAS]` as Docker's legacy links: /etc/hosts lines (`ALIAS:ADDRESS`, in
    /// `--add-host`'s form) for the other container's address on the network this one joins, which
    /// it must be on ("Cannot link to /NAME, as it does not belong to the default network").
    /// Docker's link environment variables are not made. The addresses stay true: a container
    /// keeps its address until it is removed.
    func linkedHosts(_ links: [String], containers: ContainerStore) throws -> [String] {
        try links.flatMap { link -> [String] in
            let parts = link.split(separator: ":", maxSplits: 1).map(String.init)
            let target = parts[0].hasPrefix("/") ? String(parts[0].dropFirst()) : parts[0]
            let alias = parts.count > 1 ? parts[1] : target
            try NetworkPlan.checkAliases([alias])
            guard let other = try containers.find(target) else {
                throw CellError(.setup, "could not get container for \(target)")
            }
            guard let network, let endpoint = other.record.networks?[network.name] else {
                throw CellError(.setup, "Cannot link to /\(other.name), as it does not belong to the default network")
            }
            return Array(Set([alias, other.name])).sorted().map { "\($0):\(endpoint.ipAddress)" }
        }
    }

    /// What Docker refuses beside `--network container:NAME`: the network, its names and its
    /// files are the other container's.
    private static func checkJoinable(_ options: RunOptions) throws {
        let conflicts: [(Bool, String)] = [
            (!options.publish.isEmpty || options.publishAll, "port publishing and the container type network mode"),
            (options.hostname != nil, "hostname and the network mode"),
            (!options.dns.isEmpty || !options.dnsSearch.isEmpty || !options.dnsOptions.isEmpty, "dns and the network mode"),
            (!options.addHost.isEmpty, "custom host-to-IP mapping and the network mode"),
            (options.macAddress != nil, "mac-address and the network mode"),
            (options.ipAddress != nil || !options.networkAliases.isEmpty, "networking options and the container type network mode"),
            (!options.links.isEmpty, "container type network can't be used with links. This would result in undefined behavior"),
        ]
        if let (_, what) = conflicts.first(where: { $0.0 }) { throw CellError(.setup, "conflicting options: \(what)") }
    }

    /// Takes the container's address (given back by `undo` if the creation fails later).
    func realize(containerID: String, store: NetworkStore) throws -> (endpoint: NetworkEndpoint, attachment: NetworkAttachment)? {
        guard let network, let bridge = store.bridge(of: network) else { return nil }
        let address = try store.claimAddress(in: network, for: containerID, requested: requestedAddress)
        return NetworkPlan.placement(on: network, bridge: bridge, address: address, mac: requestedMAC, aliases: aliases,
                                     interfaceName: "eth0", defaultRoute: !network.isInternal, store: store)
    }

    /// A container's place on `network` at `address` (taken already), for creation and
    /// `network connect` alike: the endpoint its record keeps and the attachment its monitor
    /// plumbs (the MAC Docker's `02:42:` + address unless one was asked for).
    static func placement(on network: Network, bridge: BridgeInterface, address: IPv4Address, mac requestedMAC: [UInt8]?,
                          aliases: [String], interfaceName: String, defaultRoute: Bool,
                          store: NetworkStore) -> (endpoint: NetworkEndpoint, attachment: NetworkAttachment) {
        let mac = requestedMAC ?? NetworkAttachment.macAddress(for: address)
        let endpoint = NetworkEndpoint(networkID: network.id, endpointID: ContainerCreator.newID(), ipAddress: address.description,
                                       prefixLength: bridge.gateway.prefix, gateway: bridge.gateway.address.description,
                                       macAddress: NetworkAttachment.formatMAC(mac), aliases: aliases)
        let attachment = NetworkAttachment(bridge: bridge, address: IPv4Interface(address: address, prefix: bridge.gateway.prefix),
                                           macAddress: mac, interfaceName: interfaceName, defaultRoute: defaultRoute,
                                           addressClaim: store.claimPath(of: address, in: network.name))
        return (endpoint, attachment)
    }
}
