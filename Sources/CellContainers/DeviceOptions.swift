import CellCore
import CellRuntime
import CellCgroups

/// `--device HOST[:CONTAINER][:PERMISSIONS]` and `--device-cgroup-rule 'c 10:200 rwm'`: nodes
/// for the container's /dev and what the devices cgroup lets it open, beyond Docker's defaults.
public enum DeviceOptions {
    public static func parse(devices: [Mapping], cgroupRules: [String], privileged: Bool) throws -> (nodes: [DeviceNode], rules: [DeviceRule]) {
        var nodes = DeviceNode.dockerDefaults
        var rules: [DeviceRule] = []
        // Docker gives a privileged container every device of the host's /dev.
        if privileged { nodes += DeviceNode.hostDevices() }
        for mapping in devices {
            let node = try DeviceNode(hostPath: mapping.pathOnHost, containerPath: mapping.pathInContainer)
            nodes.removeAll { $0.path == mapping.pathInContainer }
            nodes.append(node)
            rules.append(node.rule(mapping.access))
        }
        rules += try cgroupRules.map(DeviceRule.init(parsing:))
        return (nodes, rules)
    }

    /// One --device as inspect shows it (HostConfig.Devices).
    public struct Mapping: Codable, Equatable, Sendable {
        public var pathOnHost: String
        public var pathInContainer: String
        public var cgroupPermissions: String

        var access: DeviceRule.Access { DeviceRule.Access(letters: cgroupPermissions) ?? .all }

        public init(parsing entry: String) throws {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }), parts[0].hasPrefix("/") else {
                throw CellError.usage("invalid device specification: \(entry)")
            }
            var containerPath = parts[0], permissions = "rwm"
            if parts.count == 3 {
                containerPath = parts[1]
                guard DeviceRule.Access(letters: parts[2]) != nil else { throw CellError.usage("invalid device mode: \(parts[2])") }
                permissions = parts[2]
            } else if parts.count == 2 {
                if DeviceRule.Access(letters: parts[1]) != nil { permissions = parts[1] } else { containerPath = parts[1] }
            }
            // The child makes nodes in its /dev tmpfs only (Docker also accepts other paths).
            guard containerPath.hasPrefix("/dev/"), !containerPath.split(separator: "/").contains(".."),
                  containerPath.count > 5 else {
                throw CellError.usage("invalid device specification: \(entry): the container path must be below /dev")
            }
            (pathOnHost, pathInContainer, cgroupPermissions) = (parts[0], containerPath, permissions)
        }
    }
}
