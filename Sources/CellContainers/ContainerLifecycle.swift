#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage
import CellRuntime
import CellCgroups
import CellNetwork

/// Start, stop, kill and remove, each under the container's lock.
public struct ContainerLifecycle {
    public let store: ContainerStore
    /// The cell-monitor binary started for each container.
    public let monitorPath: String

    public init(store: ContainerStore, monitorPath: String) {
        self.store = store
        self.monitorPath = monitorPath
    }

    /// Starts a created or exited container (again, on the same writable layer). Attached, the
    /// monitor shares our stdio and `waitForExit` gives the container's status.
    @discardableResult
    public func start(_ container: Container, attach: Bool = false, interactive: Bool = false) throws -> ContainerLauncher.Started? {
        try store.withLock(container) {
            let current = try store.load(id: container.id)
            if current.isRunning { return nil }
            var spec = try ContainerSpec.read(fromContainerDirectory: container.directory)
            try EtcFiles.repair(current)
            // Host ports are chosen at each start (a -P port may be taken by now).
            let ports = try PortAllocator.allocate(current.record.hostConfig.portBindings)
            if ports != spec.ports {
                spec.ports = ports
                try spec.write(toContainerDirectory: container.directory)
            }
            // Detached, a container created with -i keeps its stdin open for `attach` clients.
            return try ContainerLauncher.start(containerDirectory: container.directory, monitorPath: monitorPath,
                                               attach: attach, interactive: attach ? interactive : current.record.config.openStdin)
        }
    }

    /// docker start -a (and run without -d): starts `container` with our stdio and waits for it;
    /// its exit status, or nil when it was already running.
    public func startAttached(_ container: Container, interactive: Bool) throws -> Int32? {
        try start(container, attach: true, interactive: interactive).map(ContainerLauncher.waitForExit)
    }

    /// docker update: the given limits over the container's; a running container's cgroup
    /// gets them at once. Checked first, as `run` checks them. A container without cgroups
    /// (--cgroups=disabled) has nowhere to put them: refused (125, as `run` refuses them).
    public func update(_ container: Container, limits change: ResourceLimits, warn: (String) -> Void = { _ in }) throws {
        var change = change
        if let layout = try? CgroupLayout.detect() {
            let admitted = CgroupSupport.of(layout).admitting(change)
            change = admitted.limits
            admitted.warnings.forEach(warn)
        }
        try store.withLock(container) {
            let current = try store.load(id: container.id)
            var spec = try ContainerSpec.read(fromContainerDirectory: current.directory)
            try ContainerLifecycle.checkTakesLimits(current)
            let merged = try spec.limits.updated(by: change)
            try merged.validate()
            if current.isRunning, let cgroup = try RunningContainer(containerDirectory: current.directory).cgroup() {
                try cgroup.apply(merged)
            }
            spec.limits = merged
            try spec.write(toContainerDirectory: current.directory)
            var record = current.record
            record.hostConfig.resources = merged
            try store.save(record)
        }
    }

    /// `update` refuses a container made with --cgroups=disabled: it has no cgroup to limit.
    public static func checkTakesLimits(_ container: Container) throws {
        guard container.record.hostConfig.cgroupsDisabled else { return }
        throw CellError(.setup, "cannot update container \(container.name): Cannot set resource limits when cgroups are disabled (it was created with --cgroups=disabled)")
    }

    /// docker stop: the stop signal (`signal`, `-s`, over the container's own), `timeout` seconds,
    /// then SIGKILL. A stopped container is fine.
    public func stop(_ container: Container, timeout: Int?, signal override: String? = nil) throws {
        try store.withLock(container) {
            let signal = try SignalName.parse(override ?? container.record.config.stopSignal ?? "SIGTERM")
            let seconds = Double(timeout ?? container.record.config.stopTimeout ?? 10)
            _ = try ContainerSignaller.stop(containerDirectory: container.directory, signal: signal, timeout: seconds)
        }
    }

    /// docker restart: stopped as `stop` stops it, then started again detached.
    public func restart(_ container: Container, timeout: Int?) throws {
        try stop(container, timeout: timeout)
        try start(try store.load(id: container.id))
    }

    /// docker kill: one signal to a running container.
    public func kill(_ container: Container, signal: Int32) throws {
        guard container.isRunning,
              try ContainerSignaller.signal(containerDirectory: container.directory, signal: signal) else {
            throw CellError.conflict("cannot kill container: \(container.name): container \(container.id) is not running")
        }
        if signal == SIGKILL {
            _ = try ContainerSignaller.waitForExit(containerDirectory: container.directory, timeout: 10)
        }
    }

    /// docker rm [-f]: a running container needs force (then it is killed first).
    public func remove(_ container: Container, force: Bool) throws {
        try store.withLock(container) {
            let current = try store.load(id: container.id)
            if current.isRunning {
                guard force else {
                    throw CellError.conflict("cannot remove container \"/\(current.name)\": container is running: stop the container before removing or force remove")
                }
                try ContainerSignaller.signal(containerDirectory: current.directory, signal: SIGKILL)
                _ = try ContainerSignaller.waitForExit(containerDirectory: current.directory, timeout: 30)
            }
            try store.remove(current)
        }
    }

    /// Every container, newest first. Containers started with --rm go away once they have exited,
    /// even when no command was waiting for them (a detached run, or a monitor that died): they
    /// are removed here, not listed.
    public func listReapingAutoRemoved() throws -> [Container] {
        var kept: [Container] = []
        for container in try store.list() {
            if container.record.hostConfig.autoRemove, case .exited = container.status {
                try? remove(container, force: false)
                continue
            }
            kept.append(container)
        }
        return kept
    }

    /// docker container prune: removes every stopped container that `filter` admits (its
    /// creation time, its labels); their ids and the bytes their writable layers held.
    public func pruneStopped(filter: PruneFilter = PruneFilter()) throws -> (deleted: [String], reclaimedBytes: Int64) {
        var deleted: [String] = []
        var reclaimed: Int64 = 0
        for container in try store.list() where !container.isRunning {
            guard filter.admits(created: Timestamp(rfc3339: container.record.created), labels: container.record.config.labels) else { continue }
            let size = FileSystem.diskUsage("\(container.directory)/upper")
            if (try? remove(container, force: false)) != nil {
                deleted.append(container.id)
                reclaimed += size
            }
        }
        return (deleted, reclaimed)
    }

    /// Blocks until the container is no longer running; its exit code.
    public func wait(_ container: Container) throws -> Int32 {
        while true {
            let current = try store.load(id: container.id)
            switch current.status {
            case .exited(let code, _): return code
            case .created where current.state == nil: return 0
            case .created: return current.state?.exitCode ?? 0
            case .running:
                _ = try ContainerSignaller.waitForExit(containerDirectory: current.directory, timeout: 3600)
            }
        }
    }
}

/// Concrete host ports for published ports: a requested port as is, port 0 → a free one the
/// kernel picks (as docker does from the ephemeral range).
enum PortAllocator {
    static func allocate(_ bindings: [PortBinding]) throws -> [ContainerSpec.PortMapping] {
        try bindings.map { binding in
            let port = binding.hostPort != 0 ? binding.hostPort : try freePort(binding)
            return ContainerSpec.PortMapping(hostAddress: binding.hostIP, hostPort: port, containerPort: binding.containerPort,
                                             protocol: binding.proto == "udp" ? .udp : .tcp)
        }
    }

    static func freePort(_ binding: PortBinding) throws -> UInt16 {
        let fd = socket(AF_INET, Int32(binding.proto == "udp" ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CellError.system("socket: \(Syscall.errorString(errno))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, binding.hostIP, &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard ok else { throw CellError(.setup, "allocate a port on \(binding.hostIP): \(Syscall.errorString(errno))") }
        return UInt16(bigEndian: address.sin_port)
    }
}

/// Signal names as docker takes them: `KILL`, `SIGKILL`, `9`.
public enum SignalName {
    static let table: [(String, Int32)] = [
        ("HUP", SIGHUP), ("INT", SIGINT), ("QUIT", SIGQUIT), ("ILL", SIGILL), ("TRAP", SIGTRAP), ("ABRT", SIGABRT),
        ("BUS", SIGBUS), ("FPE", SIGFPE), ("KILL", SIGKILL), ("USR1", SIGUSR1), ("SEGV", SIGSEGV), ("USR2", SIGUSR2),
        ("PIPE", SIGPIPE), ("ALRM", SIGALRM), ("TERM", SIGTERM), ("STKFLT", SIGSTKFLT), ("CHLD", SIGCHLD),
        ("CONT", SIGCONT), ("STOP", SIGSTOP), ("TSTP", SIGTSTP), ("TTIN", SIGTTIN), ("TTOU", SIGTTOU), ("URG", SIGURG),
        ("XCPU", SIGXCPU), ("XFSZ", SIGXFSZ), ("VTALRM", SIGVTALRM), ("PROF", SIGPROF), ("WINCH", SIGWINCH),
        ("IO", SIGIO), ("PWR", SIGPWR), ("SYS", SIGSYS),
    ]

    public static func parse(_ text: String) throws -> Int32 {
        if let number = Int32(text), number > 0, number < 65 { return number }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        guard let signal = table.first(where: { $0.0 == name })?.1 else {
            throw CellError.usage("invalid signal: \(text)")
        }
        return signal
    }
}
