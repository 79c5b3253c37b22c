import CellContainers
import CellFormat

/// `info`'s document: moby's system.Info with its field names and order (the names `--format`
/// templates use), filled from a `SystemSummary`. Fields cell has no counterpart for keep Docker's
/// empty values, so that templates naming them print what a fresh engine would.
public enum SystemInformation {
    public static func document(_ summary: SystemSummary, serverVersion: String) -> JSONValue {
        .object([
            ("ID", .string("")),
            ("Containers", .int(summary.containers)),
            ("ContainersRunning", .int(summary.runningContainers)),
            ("ContainersPaused", .int(summary.pausedContainers)),
            ("ContainersStopped", .int(summary.stoppedContainers)),
            ("Images", .int(summary.images)),
            // Containers' roots are overlay mounts over shared unpacked layers, as overlay2's.
            ("Driver", .string("overlay2")),
            ("DriverStatus", .array([])),
            ("Plugins", .object([
                ("Volume", .strings([])), ("Network", .strings(["host", "none"])), ("Authorization", .null),
                ("Log", .strings(["json-file", "local", "none", "syslog", "fluentd", "journald"])),
            ])),
            ("MemoryLimit", .bool(true)), ("SwapLimit", .bool(true)), ("CpuCfsPeriod", .bool(true)), ("CpuCfsQuota", .bool(true)),
            ("CPUShares", .bool(true)), ("CPUSet", .bool(true)), ("PidsLimit", .bool(true)),
            ("IPv4Forwarding", .bool(false)), ("Debug", .bool(false)), ("NFd", .int(0)), ("OomKillDisable", .bool(false)),
            ("NGoroutines", .int(0)), ("SystemTime", .string("")),
            ("LoggingDriver", .string((try? LogDefaults.current().driver) ?? "json-file")),
            // cell writes the cgroup tree itself (no systemd scopes).
            ("CgroupDriver", .string("cgroupfs")),
            ("CgroupVersion", .string(summary.cgroupVersion)),
            ("NEventsListener", .int(0)),
            ("KernelVersion", .string(summary.kernelVersion)),
            ("OperatingSystem", .string(summary.operatingSystem)),
            ("OSVersion", .string(summary.operatingSystemVersion)),
            ("OSType", .string("linux")),
            ("Architecture", .string(summary.architecture)),
            ("IndexServerAddress", .string("https://index.docker.io/v1/")),
            ("NCPU", .int(summary.cpus)),
            ("MemTotal", .int(summary.memoryBytes)),
            ("DockerRootDir", .string(summary.root)),
            ("HTTPProxy", .string("")), ("HTTPSProxy", .string("")), ("NoProxy", .string("")),
            ("Name", .string(summary.hostname)),
            ("Labels", .strings([])),
            ("ExperimentalBuild", .bool(false)),
            ("ServerVersion", .string(serverVersion)),
            ("Runtimes", .object([("cell", .object([("path", .string("cell-monitor"))]))])),
            ("DefaultRuntime", .string("cell")),
            ("Swarm", .object([
                ("NodeID", .string("")), ("NodeAddr", .string("")), ("LocalNodeState", .string("inactive")),
                ("ControlAvailable", .bool(false)), ("Error", .string("")), ("RemoteManagers", .null),
            ])),
            ("LiveRestoreEnabled", .bool(false)),
            ("Isolation", .string("")),
            ("InitBinary", .string("cell-init")),
            ("ContainerdCommit", .object([("ID", .string(""))])),
            ("RuncCommit", .object([("ID", .string(""))])),
            ("InitCommit", .object([("ID", .string(""))])),
            // Docker's default seccomp profile is applied unless --security-opt seccomp=unconfined.
            ("SecurityOptions", .strings(["name=seccomp,profile=builtin"])),
            ("Warnings", .strings([])),
        ])
    }
}
