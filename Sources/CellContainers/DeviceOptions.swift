import CellCore
import CellRuntime

/// `--device HOST[:CONTAINER][:PERMISSIONS]` and `--device-cgroup-rule 'c 10:200 rwm'`: nodes
/// for the container's /dev and what the devices cgroup lets it open, beyond Docker's defaults.
public enum DeviceOptions {
    public static func parse(devices: [String], cgroupRules: [String], privileged: Bool) throws -> (nodes: [DeviceNode], rules: [DeviceRule]) {
        var nodes = DeviceNode.dockerDefaults
        var rules: [DeviceRule] = []
        // Docker gives a privileged container every device of the host's /dev.
        if privileged { nodes += DeviceNode.hostDevices() }
        for entry in devices {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }), parts[0].hasPrefix("/") else {
                throw CellError.usage("invalid device specification: \(entry)")
            }
            var containerPath = parts[0], access = DeviceRule.Access.all
            if parts.count == 3 {
                containerPath = parts[1]
                guard let given = DeviceRule.Access(letters: parts[2]) else { throw CellError.usage("invalid device mode: \(parts[2])") }
                access = given
            } else if parts.count == 2 {
                if let given = DeviceRule.Access(letters: parts[1]) { access = given } else { containerPath = parts[1] }
            }
            // The child makes nodes in its /dev tmpfs only (Docker also accepts other paths).
            guard containerPath.hasPrefix("/dev/"), !containerPath.split(separator: "/").contains(".."),
                  containerPath.count > 5 else {
                throw CellError.usage("invalid device specification: \(entry): the container path must be below /dev")
            }
            let node = try DeviceNode(hostPath: parts[0], containerPath: containerPath)
            nodes.removeAll { $0.path == containerPath }
            nodes.append(node)
            rules.append(node.rule(access))
        }
        rules += try cgroupRules.map(DeviceRule.init(parsing:))
        return (nodes, rules)
    }
}
