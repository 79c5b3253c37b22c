import CellCore
import CellRuntime
import CellCgroups
import CellNetwork

/// One line of `cell stats`: a container's usage over an interval between two samples.
public struct ContainerStats: Sendable {
    public var container: Container
    /// Percent of one CPU (docker's CPU %: 200% is two CPUs busy).
    public var cpuPercent: Double
    public var current: CgroupStatistics
    /// False for a container without cgroups of its own (--cgroups=disabled): only its processes
    /// and network are counted; CPU, memory and block I/O are nobody's to read.
    public var hasCgroup: Bool { !container.record.hostConfig.cgroupsDisabled }

    public var memoryPercent: Double {
        current.memoryLimit == 0 ? 0 : Double(current.memoryUsage) / Double(current.memoryLimit) * 100
    }

    /// Takes a first sample of every container, and a second `interval` seconds later.
    public static func sample(_ containers: [Container], interval: Double) -> [ContainerStats] {
        func read(_ container: Container) -> (CgroupStatistics, Double)? {
            guard container.isRunning, let running = try? RunningContainer(containerDirectory: container.directory) else { return nil }
            let network = counted(container) ? running.pid : nil
            if container.record.hostConfig.cgroupsDisabled {
                // No cgroup: the processes of its pid namespace and its network.
                guard let pids = try? running.processes() else { return nil }
                var stats = network.map(CgroupStatistics.readNetwork) ?? CgroupStatistics()
                stats.pids = UInt64(pids.count)
                return (stats, Deadline.monotonicNow())
            }
            guard let cgroup = try? running.cgroup() else { return nil }
            return (CgroupStatistics.read(cgroup, pid: network), Deadline.monotonicNow())
        }
        let first = containers.map(read)
        Deadline.pause(milliseconds: Int(interval * 1000))
        return zip(containers, first).map { container, before in
            guard let before, let after = read(container) else {
                return ContainerStats(container: container, cpuPercent: 0, current: CgroupStatistics())
            }
            let elapsed = (after.1 - before.1) * 1e9
            let used = after.0.cpuNanoseconds >= before.0.cpuNanoseconds ? Double(after.0.cpuNanoseconds - before.0.cpuNanoseconds) : 0
            return ContainerStats(container: container, cpuPercent: elapsed > 0 ? used / elapsed * 100 : 0, current: after.0)
        }
    }

    /// Whether the container's network is its own to count: Docker counts the interfaces a
    /// network attached, so `--network host` (the host's, nobody's to count) and `none` (none
    /// attached) show 0B / 0B; a bridge network's container is counted (`CgroupStatistics.readNetwork`),
    /// and so is an older container's loopback-only namespace.
    static func counted(_ container: Container) -> Bool {
        container.record.networks?.isEmpty == false
            || NetworkMode(dockerName: container.record.hostConfig.networkMode) == .private
    }
}
