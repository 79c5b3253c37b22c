#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage
import CellRuntime
import CellCgroups
import CellNetwork

/// Start, stop, kill and remove, each under the container's lock.
public struct ContainerLifecycle: Sendable {
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
    public func start(_ container: Container, attach: Bool = false, attachment: Attachment = Attachment(),
                      interactive: Bool = false, pending: PendingMonitor? = nil) throws -> ContainerLauncher.Started? {
        try store.withLock(container) {
            let current = try store.load(id: container.id)
            PhaseTrace.mark("container locked and read")
            if current.isRunning { return nil }
            if case .restarting = current.status { return nil }
            try clearLeftovers(current)
            // The user starts it: its restart policy applies again.
            unlink(RestartPolicy.stopRequestPath(containerDirectory: container.directory))
            var spec = try ContainerSpec.read(fromContainerDirectory: container.directory)
            try EtcFiles.repair(current)
            // Host ports are chosen at each start (a -P port may be taken by now), and the
            // containers whose namespaces it joins are looked up again.
            let ports = try PortAllocator.allocate(current.record.hostConfig.portBindings)
            let donors = try NamespaceDonors.directories(for: current.record.hostConfig, in: store)
            var changed = ports != spec.ports || donors != spec.joinedNamespaces
            spec.ports = ports
            spec.joinedNamespaces = donors
            // A container on another's network sees that one's /etc/hosts, resolv.conf and
            // hostname, as in Docker.
            if let donor = donors[.net], spec.hostsFile != "\(donor)/hosts" {
                (spec.hostsFile, spec.resolvConfFile, spec.hostnameFile) = ("\(donor)/hosts", "\(donor)/resolv.conf", "\(donor)/hostname")
                changed = true
            }
            if changed { try spec.write(toContainerDirectory: container.directory) }
            PhaseTrace.mark("start prepared (leftovers, etc files, ports)")
            // Detached, a container created with -i keeps its stdin open for `attach` clients.
            return try ContainerLauncher.start(containerDirectory: container.directory, monitorPath: monitorPath,
                                               attach: attach, attachment: attachment,
                                               interactive: attach ? interactive : current.record.config.openStdin,
                                               pending: pending, specRewritten: changed)
        }
    }

    /// docker start -a (and run without -d): starts `container` with our stdio, as `attachment`
    /// says, and waits until it exits (its status) or the detach keys are typed; nil when it
    /// was already running.
    public func startAttached(_ container: Container, interactive: Bool,
                              attachment: Attachment = Attachment(), pending: PendingMonitor? = nil) throws -> AttachOutcome? {
        let signals = AttachedClientSignals(proxying: attachment.proxiesSignals)
        defer { signals.restore() }
        guard let started = try start(container, attach: true, attachment: attachment, interactive: interactive, pending: pending) else {
            return nil
        }
        signals.forward(to: started.monitorPid)
        return ContainerLauncher.waitForEnd(started)
    }

    /// docker update: the given limits over the container's (a running container's cgroup gets
    /// them at once) and the restart policy the monitor reads at its next exit. Everything is
    /// checked before anything changes, as moby's update: the limits as `run` checks them (a
    /// container made with --cgroups=disabled has nowhere to put them: refused, 125, as `run`
    /// refuses them), the policy against `--rm` with Docker's words; then spec and record are
    /// written once, under the container's lock.
    public func update(_ container: Container, limits change: ResourceLimits = ResourceLimits(), restartPolicy text: String? = nil,
                       warn: (String) -> Void = { _ in }) throws {
        let policy = try text.map { try RestartPolicy(parsing: $0) }
        var change = change
        if !change.isEmpty, let layout = try? CgroupLayout.detect() {
            let admitted = CgroupSupport.of(layout).admitting(change)
            change = admitted.limits
            admitted.warnings.forEach(warn)
        }
        try store.withLock(container) {
            let current = try store.load(id: container.id)
            var spec = try ContainerSpec.read(fromContainerDirectory: current.directory)
            var record = current.record
            if let policy {
                if current.record.hostConfig.autoRemove && policy != .never {
                    throw CellError.conflict("Cannot update container \(current.id): Restart policy cannot be updated because AutoRemove is enabled for the container")
                }
                spec.restartPolicy = policy
                record.hostConfig.restartPolicy = policy == .never ? nil : .init(policy)
            }
            if !change.isEmpty {
                try ContainerLifecycle.checkTakesLimits(current)
                let merged = try spec.limits.updated(by: change)
                try merged.validate()
                if current.isRunning, let cgroup = try RunningContainer(containerDirectory: current.directory).cgroup() {
                    try cgroup.apply(merged)
                }
                spec.limits = merged
                record.hostConfig.resources = merged
            }
            try spec.write(toContainerDirectory: current.directory)
            try store.save(record)
            Events.container("update", current)
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
            let current = try store.load(id: container.id)
            try requestStop(current)
            try ContainerLifecycle.thaw(current)
            let signal = try SignalName.parse(override ?? container.record.config.stopSignal ?? "SIGTERM")
            let seconds = Double(timeout ?? container.record.config.stopTimeout ?? 10)
            let wasRunning = current.isRunning
            if wasRunning { Events.container("kill", current, ["signal": String(signal)]) }
            _ = try ContainerSignaller.stop(containerDirectory: container.directory, signal: signal, timeout: seconds)
            if wasRunning { Events.container("stop", current) }
        }
    }

    /// Notes that the user stopped it (its restart policy then does not start it again) and, if
    /// it is waiting out a restart's back-off, wakes its monitor and waits until it has given up.
    func requestStop(_ container: Container) throws {
        try FileSystem.writeAtomically([], to: RestartPolicy.stopRequestPath(containerDirectory: container.directory), durable: false)
        guard case .restarting = container.status, let monitor = container.state?.monitorPid else { return }
        Glibc.kill(monitor, SIGTERM)
        let deadline = Deadline(after: 10)
        while !deadline.hasPassed, case .restarting = (try store.load(id: container.id)).status { Deadline.pause() }
    }

    /// A container whose monitor died (kill -9, or a crash) while it ran: its processes may run
    /// on, unwatched, in its cgroup. They are killed and the cgroup removed before the container
    /// starts again or goes (after a reboot there is nothing left, and this finds nothing).
    func clearLeftovers(_ container: Container) throws {
        guard let state = container.state, state.status == .running, !container.isRunning else { return }
        let spec = try ContainerSpec.read(fromContainerDirectory: container.directory)
        if let cgroup = try spec.cgroup {
            // Found by its name, not through pid 1: pid 1 may be gone (or a zombie no one
            // reaps) while the rest runs on.
            guard cgroup.directories.contains(where: FileSystem.exists) else { return }
            try cgroup.killAll()
            try? cgroup.remove()
        } else if let running = try? RunningContainer(containerDirectory: container.directory) {
            // Without a cgroup of its own, its pid namespace ends with its pid 1.
            Glibc.kill(running.pid, SIGKILL)
        }
    }

    /// `cell system boot` (after a reboot, or when every monitor was killed): starts what Docker's
    /// daemon starts when it comes up: `always` containers, `unless-stopped` ones the user did
    /// not stop, and `on-failure` ones that were running when the host went down. Their names.
    public func startForBoot() throws -> [String] {
        var started: [String] = []
        for container in try store.list() where !container.isRunning {
            guard let policy = container.record.hostConfig.restartPolicy, let name = RestartPolicy.Name(rawValue: policy.name) else { continue }
            let stopped = FileSystem.exists(RestartPolicy.stopRequestPath(containerDirectory: container.directory))
            let wasRunning = container.state?.status == .running
            let due: Bool
            switch name {
            case .always: due = true
            case .unlessStopped: due = !stopped
            case .onFailure: due = wasRunning && !stopped
            case .no: due = false
            }
            guard due else { continue }
            if name == .always { unlink(RestartPolicy.stopRequestPath(containerDirectory: container.directory)) }
            if try start(container) != nil { started.append(container.name) }
        }
        return started
    }

    /// docker restart: stopped as `stop` stops it (`signal` over the container's stop signal),
    /// then started again detached.
    public func restart(_ container: Container, timeout: Int?, signal: String? = nil) throws {
        try stop(container, timeout: timeout, signal: signal)
        try start(try store.load(id: container.id))
        Events.container("restart", container)
    }

    /// docker kill: one signal to a running container.
    public func kill(_ container: Container, signal: Int32) throws {
        // A signal that ends it ends its restarts too, as Docker's kill.
        let ending = [SIGKILL, SIGTERM, SIGINT, SIGQUIT, SIGHUP].contains(signal)
        // Whether it was up or between two runs when its restarts were ended.
        var wasActive = false
        if ending {
            try store.withLock(container) {
                let current = try store.load(id: container.id)
                if case .restarting = current.status { wasActive = true }
                if current.isRunning { wasActive = true }
                try requestStop(current)
            }
        }
        if container.isPaused && signal == SIGKILL { try store.withLock(container) { try ContainerLifecycle.thaw(container) } }
        // Between two runs there is no process: the kill ends the restarts.
        if case .restarting = container.status { return }
        guard container.isRunning,
              try ContainerSignaller.signal(containerDirectory: container.directory, signal: signal) else {
            // A crash-looping container that exited meanwhile: its restarts are what ends.
            if container.record.hostConfig.restartPolicy != nil, wasActive { return }
            throw CellError.conflict("cannot kill container: \(container.name): container \(container.id) is not running")
        }
        Events.container("kill", container, ["signal": String(signal)])
        if signal == SIGKILL {
            _ = try ContainerSignaller.waitForExit(containerDirectory: container.directory, timeout: 10)
        }
    }

    /// docker rm [-f]: a running container needs force (then it is killed first); `volumes`
    /// (-v) takes its anonymous volumes along, as a `--rm` container's removal always does
    /// (unless another container uses them).
    public func remove(_ container: Container, force: Bool, volumes: Bool = false) throws {
        let record = try store.withLock(container) {
            let current = try store.load(id: container.id)
            if case .restarting = current.status { try requestStop(current) }
            try clearLeftovers(current)
            if current.isRunning {
                guard force else {
                    throw CellError.conflict("cannot remove container \"/\(current.name)\": container is running: stop the container before removing or force remove")
                }
                try requestStop(current)
                try ContainerLifecycle.thaw(current)
                try ContainerSignaller.signal(containerDirectory: current.directory, signal: SIGKILL)
                _ = try ContainerSignaller.waitForExit(containerDirectory: current.directory, timeout: 30)
            }
            try store.remove(current)
            Events.container("destroy", current)
            return current.record
        }
        if record.networks != nil { try NetworkOperations(root: store.layout.root).release(record) }
        if volumes || record.hostConfig.autoRemove {
            try VolumeOperations(root: store.layout.root).removeAnonymousVolumes(of: record)
        }
    }

    /// Every container, newest first. Containers started with --rm go away once they have exited,
    /// even when no command was waiting for them (a detached run, or a monitor that died): they
    /// are removed here, not listed.
    /// Every container less the `--rm` ones that exited while no monitor could remove them:
    /// removed here. `forShowing`: records only as far as `ps` shows and filters on
    /// (`ContainerStore.listForShowing`), for a listing that acts on none of them.
    public func listReapingAutoRemoved(forShowing: Bool = false) throws -> [Container] {
        var containers = try forShowing ? store.listForShowing() : store.list()
        // In place: a container is a large value, not copied for nothing.
        containers.removeAll { container in
            guard container.record.hostConfig.autoRemove, case .exited = container.status else { return false }
            if let whole = try? store.load(id: container.id) { try? remove(whole, force: false) }
            return true
        }
        return containers
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
            case .exited(let code, _), .restarting(let code, _): return code
            case .created where current.state == nil: return 0
            case .created: return current.state?.exitCode ?? 0
            case .running:
                _ = try ContainerSignaller.waitForExit(containerDirectory: current.directory, timeout: 3600)
            }
        }
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
