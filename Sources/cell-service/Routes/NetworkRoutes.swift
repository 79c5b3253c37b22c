import CellContainers
import CellCore
import CellFormat
import CellImage
import CellPresentation

/// The network endpoints over `NetworkOperations`, the same calls as `cell network`: list,
/// inspect, create, remove, prune, connect and disconnect.
enum NetworkRoutes {
    static let routes: [Route] = [
        Route(.GET, "/networks", list),
        Route(.GET, "/networks/{id}", inspect),
        Route(.POST, "/networks/create", create),
        Route(.DELETE, "/networks/{id}", remove),
        Route(.POST, "/networks/prune", prune),
        Route(.POST, "/networks/{id}/connect", connect),
        Route(.POST, "/networks/{id}/disconnect", disconnect),
    ]

    /// `docker network ls`: every network as inspect shows it (without its containers, as Docker lists them).
    static func list(_ call: RouteCall) throws -> APIResponse {
        let filter = try NetworkFilter(FilterParameter.pairs(call.query["filters"]))
        return .json(.ok, .array(try call.engine.networks().list(filter).map { NetworkViews.inspection($0, members: []) }))
    }

    static func inspect(_ call: RouteCall) throws -> APIResponse {
        let operations = try call.engine.networks()
        let reference = try call.capture("id")
        guard let network = try operations.networks.find(reference) else { throw APIError.notFound("network \(reference) not found") }
        return .json(.ok, NetworkViews.inspection(network, members: try operations.members()[network.name] ?? []))
    }

    /// moby's NetworkCreateRequest: Name, Driver (bridge), Internal, IPAM's one subnet and
    /// gateway, Labels, Options; 201 with the id.
    static func create(_ call: RouteCall) throws -> APIResponse {
        var body = try JSONFields(body: call.request.body, path: "NetworkCreateRequest")
        guard let name = try body.string("Name"), !name.isEmpty else { throw APIError.badRequest("network name is required") }
        let driver = try body.string("Driver") ?? ""
        guard driver.isEmpty || driver == "bridge" else { throw APIError.notFound("plugin \"\(driver)\" not found") }
        let isInternal = try body.bool("Internal") ?? false
        if try body.bool("EnableIPv6") == true { throw APIError.badRequest("IPv6 networks are not supported by cell yet") }
        let labels = Dictionary(try body.stringMap("Labels") ?? [], uniquingKeysWith: { $1 })
        let options = Dictionary(try body.stringMap("Options") ?? [], uniquingKeysWith: { $1 })
        var ipam = try body.object("IPAM")
        if let ipamDriver = try ipam.string("Driver"), !["", "default"].contains(ipamDriver) {
            throw APIError.badRequest("IPAM driver \(ipamDriver) is not available: cell has its default one only")
        }
        let pools = try ipam.objects("Config")
        guard pools.count <= 1 else { throw APIError.badRequest("a network has one IPv4 subnet in cell") }
        var subnet: String?, gateway: String?
        if var pool = pools.first {
            subnet = try pool.string("Subnet").flatMap { $0.isEmpty ? nil : $0 }
            gateway = try pool.string("Gateway").flatMap { $0.isEmpty ? nil : $0 }
            try pool.refuseUnread(["IPRange": "cell gives addresses from the whole subnet", "AuxiliaryAddresses": "cell reserves none"])
        }
        ipam.ignore("Options")
        try ipam.refuseUnread()
        // CheckDuplicate is what cell always does; Attachable is what every network here is.
        body.ignore("CheckDuplicate", "Attachable", "Scope", "ConfigOnly", "ConfigFrom")
        try body.refuseUnread(["Ingress": "cell has no swarm"])
        let network = try call.engine.networks().networks.create(name, subnet: subnet, gateway: gateway, isInternal: isInternal,
                                                                 labels: labels, options: options)
        return .json(.created, .object([("Id", .string(network.id)), ("Warning", .string(""))]))
    }

    /// 204; Docker's 403 for a predefined network or one with containers on it.
    static func remove(_ call: RouteCall) throws -> APIResponse {
        do {
            _ = try call.engine.networks().remove(try call.capture("id"))
        } catch let error as CellError where error.kind == .conflict {
            throw APIError(.forbidden, error.message)
        }
        return .empty(.noContent)
    }

    static func prune(_ call: RouteCall) throws -> APIResponse {
        let filter = try PruneFilter(FilterParameter.pairs(call.query["filters"]), for: .containers)
        let removed = try call.engine.networks().prune { filter.admits(created: Timestamp(rfc3339: $0.created), labels: $0.labels) }
        return .json(.ok, .object([("NetworksDeleted", removed.isEmpty ? .null : .strings(removed.map(\.name)))]))
    }

    /// moby's NetworkConnectRequest: Container, EndpointConfig's Aliases and IPAMConfig.IPv4Address; 200.
    static func connect(_ call: RouteCall) throws -> APIResponse {
        var body = try JSONFields(body: call.request.body, path: "NetworkConnectRequest")
        guard let container = try body.string("Container"), !container.isEmpty else { throw APIError.badRequest("container is required") }
        var endpoint = try body.object("EndpointConfig")
        let aliases = try endpoint.strings("Aliases") ?? []
        var addresses = try endpoint.object("IPAMConfig")
        let address = try addresses.string("IPv4Address").flatMap { $0.isEmpty ? nil : $0 }
        addresses.ignore("IPv6Address", "LinkLocalIPs")
        try addresses.refuseUnread()
        endpoint.ignore("NetworkID", "EndpointID", "Gateway", "IPAddress", "IPPrefixLen", "IPv6Gateway", "GlobalIPv6Address",
                        "GlobalIPv6PrefixLen", "MacAddress", "DriverOpts", "Links", "DNSNames")
        try endpoint.refuseUnread()
        try body.refuseUnread()
        try call.engine.networks().connect(try call.capture("id"), container, aliases: aliases, ipAddress: address)
        return .empty(.ok)
    }

    /// moby's NetworkDisconnectRequest: Container, Force; 200.
    static func disconnect(_ call: RouteCall) throws -> APIResponse {
        var body = try JSONFields(body: call.request.body, path: "NetworkDisconnectRequest")
        guard let container = try body.string("Container"), !container.isEmpty else { throw APIError.badRequest("container is required") }
        let force = try body.bool("Force") ?? false
        try body.refuseUnread()
        try call.engine.networks().disconnect(try call.capture("id"), container, force: force)
        return .empty(.ok)
    }
}
