import CellCore
import CellRuntime
import CellCgroups

/// One reading of a running container's resources for the Engine API's stats: its cgroup's raw
/// counters, its network interfaces, the host's CPU time at the same moment and when it was read.
/// `docker stats` computes CPU % from two of them, as it does with Docker's.
public struct ContainerResourceSample: Sendable {
    public var read: Timestamp
    /// Nil for a container without a cgroup of its own (--cgroups=disabled).
    public var counters: CgroupCounters?
    /// Its processes when it has no cgroup to count them.
    public var processCount: UInt64
    /// Nil when its network is not its own to count (host, none: Docker leaves `networks` out).
    public var networks: [NetworkInterfaceCounters]?
    public var host: HostCPUTime

    /// A sample of `container` now, or nil when it is not running (or stopped while being read).
    public static func take(_ container: Container) -> ContainerResourceSample? {
        guard container.isRunning, let running = try? RunningContainer(containerDirectory: container.directory) else { return nil }
        let host = HostCPUTime.read()
        var sample = ContainerResourceSample(read: .now(), counters: nil, processCount: 0, networks: nil, host: host)
        if container.record.hostConfig.cgroupsDisabled {
            guard let processes = try? running.processes() else { return nil }
            sample.processCount = UInt64(processes.count)
        } else {
            guard let cgroup = try? running.cgroup() else { return nil }
            sample.counters = CgroupCounters.read(cgroup)
        }
        if ContainerStats.counted(container) {
            let interfaces = NetworkInterfaceCounters.read(pid: running.pid)
            // Docker counts the interfaces a network gave the container, never lo; a container of
            // cell's default network has lo alone, which carries its published ports' traffic.
            let attached = interfaces.filter { $0.name != "lo" }
            sample.networks = attached.isEmpty ? interfaces : attached
        }
        return sample
    }
}
