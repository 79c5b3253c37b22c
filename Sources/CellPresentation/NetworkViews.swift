import CellContainers
import CellCore
import CellFormat

/// Docker's views of a network: `network inspect`'s object (the API's too) and `network ls`'s row.
public enum NetworkViews {
    /// `members` are the containers on it.
    public static func inspection(_ network: Network, members: [Container]) -> JSONValue {
        let ipamConfig: JSONValue = network.subnet.map { subnet in
            .array([.object([("Subnet", .string(subnet)), ("Gateway", .string(network.gateway ?? ""))])])
        } ?? .array([])
        let containers: [(String, JSONValue)] = members.sorted { $0.id < $1.id }.compactMap { container in
            guard let endpoint = container.record.networks?[network.name] else { return nil }
            return (container.id, .object([
                ("Name", .string(container.name)),
                ("EndpointID", .string(endpoint.endpointID)),
                ("MacAddress", .string(endpoint.macAddress)),
                ("IPv4Address", .string("\(endpoint.ipAddress)/\(endpoint.prefixLength)")),
                ("IPv6Address", .string("")),
            ]))
        }
        return .object([
            ("Name", .string(network.name)),
            ("Id", .string(network.id)),
            ("Created", .string(network.created)),
            ("Scope", .string("local")),
            ("Driver", .string(network.driver)),
            ("EnableIPv4", .bool(true)),
            ("EnableIPv6", .bool(false)),
            ("IPAM", .object([("Driver", .string("default")), ("Options", .null), ("Config", ipamConfig)])),
            ("Internal", .bool(network.isInternal)),
            ("Attachable", .bool(false)),
            ("Ingress", .bool(false)),
            ("ConfigFrom", .object([("Network", .string(""))])),
            ("ConfigOnly", .bool(false)),
            ("Containers", .object(containers)),
            ("Options", .object(network.options.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("Labels", .object(network.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ])
    }

    /// moby's network.EndpointSettings: a container's place on one network; all empty for a
    /// network without addresses (host, none). On a user-defined network, Aliases end with the
    /// short id as the engine of API 1.43 (Docker 24) shows them (compose v1 looks for it to know
    /// a container is connected), and DNSNames as Docker 26 added them: name, aliases, short id.
    public static func endpoint(_ endpoint: NetworkEndpoint?, of record: ContainerRecord? = nil, networkName: String = "") -> JSONValue {
        var dnsNames: JSONValue = .null
        var aliases: JSONValue = endpoint.map { $0.aliases.isEmpty ? JSONValue.null : .strings($0.aliases) } ?? .null
        if let endpoint, let record, networkName != "bridge" {
            let shortID = String(record.id.prefix(12))
            aliases = .strings(endpoint.aliases + [shortID])
            dnsNames = .strings([record.name] + endpoint.aliases + [shortID])
        }
        return .object([
            ("IPAMConfig", .null), ("Links", .null),
            ("Aliases", aliases),
            ("MacAddress", .string(endpoint?.macAddress ?? "")), ("DriverOpts", .null),
            ("NetworkID", .string(endpoint?.networkID ?? "")), ("EndpointID", .string(endpoint?.endpointID ?? "")),
            ("Gateway", .string(endpoint?.gateway ?? "")), ("IPAddress", .string(endpoint?.ipAddress ?? "")),
            ("IPPrefixLen", .integer(Int64(endpoint?.prefixLength ?? 0))),
            ("IPv6Gateway", .string("")), ("GlobalIPv6Address", .string("")), ("GlobalIPv6PrefixLen", .integer(0)),
            ("DNSNames", dnsNames),
        ])
    }

    /// NetworkSettings.Networks of a container: its bridge networks, else its mode's name with
    /// an empty endpoint (`default` is shown as Docker's `bridge`).
    public static func endpoints(of record: ContainerRecord) -> JSONValue {
        if let networks = record.networks, !networks.isEmpty {
            return .object(networks.sorted { $0.key < $1.key }.map { ($0.key, endpoint($0.value, of: record, networkName: $0.key)) })
        }
        let mode = record.hostConfig.networkMode
        // Another container's network is that one's to show.
        if mode.hasPrefix("container:") { return .object([]) }
        return .object([(mode == "default" || mode.isEmpty ? "bridge" : mode, endpoint(nil))])
    }

    /// `ps`'s Networks column: the networks' names, else the mode's (`default` as Docker's `bridge`).
    public static func names(of record: ContainerRecord) -> String {
        if let networks = record.networks, !networks.isEmpty { return networks.keys.sorted().joined(separator: ",") }
        let mode = record.hostConfig.networkMode
        return mode == "default" || mode.isEmpty ? "bridge" : mode
    }

    public static let rowHeaders = ["ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE", "IPv4": "IPV4",
                                    "IPv6": "IPV6", "Internal": "INTERNAL", "Labels": "LABELS", "CreatedAt": "CREATED AT"]

    public static let defaultRowFormat = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"

    /// The values `network ls --format` sees.
    public static func row(_ network: Network, truncate: Bool) -> JSONValue {
        let created = Timestamp(rfc3339: network.created).map(Presentation.goTimeString) ?? network.created
        return .object([
            ("CreatedAt", .string(created)),
            ("Driver", .string(network.driver)),
            ("ID", .string(truncate ? String(network.id.prefix(12)) : network.id)),
            ("IPv4", .string("true")),
            ("IPv6", .string("false")),
            ("Internal", .string(network.isInternal ? "true" : "false")),
            ("Labels", .string(network.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))),
            ("Name", .string(network.name)),
            ("Scope", .string("local")),
        ])
    }
}
