#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CellCore
import CellFormat
import CellImage
import CellNetwork

/// A network of the store, as `network create` made it (or the predefined `bridge`, `host` and
/// `none`). Its Linux bridge, address and firewall rules are made with it and made again when
/// missing (after a reboot) by the first container that joins.
public struct Network: Codable, Sendable, Equatable {
    public var name: String
    public var id: String
    /// RFC 3339 with nanoseconds, as Docker's inspect shows it.
    public var created: String
    /// `bridge`, or `host` and `null` for the predefined networks of those modes.
    public var driver: String
    public var subnet: String?
    public var gateway: String?
    public var isInternal: Bool
    public var labels: [String: String]
    public var options: [String: String]

    public init(name: String, id: String, created: String, driver: String, subnet: String? = nil, gateway: String? = nil,
                isInternal: Bool = false, labels: [String: String] = [:], options: [String: String] = [:]) {
        self.name = name
        self.id = id
        self.created = created
        self.driver = driver
        self.subnet = subnet
        self.gateway = gateway
        self.isInternal = isInternal
        self.labels = labels
        self.options = options
    }

    /// The names Docker has from the start; `network create` and `rm` refuse them.
    public static let predefined = ["bridge", "host", "none"]

    public var isPredefined: Bool { Network.predefined.contains(name) }

    /// Docker's rule: containers find each other by name on networks the user made, not on
    /// the default bridge.
    public var resolvesNames: Bool { driver == "bridge" && name != "bridge" }

    /// The Linux side of a bridge network (`directory`: its record's in the store); nil for
    /// `host` and `none`.
    public func bridgeInterface(directory: String) -> BridgeInterface? {
        guard driver == "bridge", let subnet = subnet.flatMap(IPv4Subnet.init), let gateway = gateway.flatMap(IPv4Address.init) else {
            return nil
        }
        return BridgeInterface(name: BridgeInterface.name(forNetworkID: id), gateway: IPv4Interface(address: gateway, prefix: subnet.prefix),
                               isInternal: isInternal, owner: directory)
    }
}

/// Read without Codable on every `cell run` (see JSONFields), as its Decodable reads it.
extension Network: StoredJSONDocument {
    public init(fields: JSONFields) throws {
        self.init(name: try fields.required("name", fields.string), id: try fields.required("id", fields.string),
                  created: try fields.required("created", fields.string), driver: try fields.required("driver", fields.string),
                  subnet: try fields.string("subnet"), gateway: try fields.string("gateway"),
                  isInternal: try fields.required("isInternal", fields.bool), labels: try fields.required("labels", fields.stringMap),
                  options: try fields.required("options", fields.stringMap))
    }
}

/// A container's place on one network, kept in its record (inspect's NetworkSettings.Networks).
public struct NetworkEndpoint: Codable, Sendable, Equatable {
    public var networkID: String
    public var endpointID: String
    public var ipAddress: String
    public var prefixLength: Int
    public var gateway: String
    public var macAddress: String
    /// `--network-alias`, and Docker's own: the container's short id.
    public var aliases: [String]

    public init(networkID: String, endpointID: String, ipAddress: String, prefixLength: Int, gateway: String,
                macAddress: String, aliases: [String]) {
        self.networkID = networkID
        self.endpointID = endpointID
        self.ipAddress = ipAddress
        self.prefixLength = prefixLength
        self.gateway = gateway
        self.macAddress = macAddress
        self.aliases = aliases
    }
}
