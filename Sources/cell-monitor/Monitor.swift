#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import CellEvents
import CellFormat
import CellRuntime
import CellCgroups
import CellNetwork

/// One container's life, from spec to final state. Single-threaded: one poll() loop serves
/// the container's output, our stdin (attached), and signals (through a signalfd).
///
/// The overlay is mounted by the container's own process inside its new mount namespace, so
/// the monitor never mounts anything on the host and nothing outlives the container. The
/// cgroup is created before the start and removed after the exit, success or not; with
/// --cgroups=disabled there is none (the container stays in the monitor's own cgroup), and
/// its pid namespace alone takes everything with its pid 1.
struct Monitor {
    let options: MonitorOptions
    private var directory: String { options.containerDirectory }

    /// The signals the monitor receives; all but SIGCHLD are passed on to the container.
    static let forwardedSignals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH]

    /// What was made from the spec's preview, for a monitor started ahead.
    let prepared: PreparedStart?

    init(options: MonitorOptions, prepared: PreparedStart? = nil) {
        self.options = options
        self.prepared = prepared
    }

    /// Returns the monitor's exit status.
    func run() -> Int32 {
        let spec: ContainerSpec
        var cgroup: Cgroup? = nil
        do {
            if let prepared, prepared.directory == directory {
                cgroup = prepared.cgroup
                if let error = prepared.error { throw error }
                guard let previewed = prepared.spec else { throw CellError(.setup, "the container's spec was not shown") }
                guard options.specRewritten else { return try supervise(spec: previewed, cgroup: cgroup, ahead: prepared.process) }
                spec = try ContainerSpec.read(fromContainerDirectory: directory)
                PhaseTrace.mark("spec read again (rewritten by the start)")
                if prepared.differsOnlyInPorts(from: spec) { return try supervise(spec: spec, cgroup: cgroup, ahead: prepared.process) }
                prepared.abandonProcess()
                if prepared.hasTheCgroup(of: spec) { return try supervise(spec: spec, cgroup: cgroup) }
                prepared.abandon()
                cgroup = nil
            } else {
                prepared?.abandon()
                spec = try ContainerSpec.read(fromContainerDirectory: directory)
                PhaseTrace.mark("spec read")
            }
            cgroup = try spec.cgroup
            try cgroup.map { try PreparedStart.make($0, for: spec) }
            PhaseTrace.mark("cgroup created, limits and device rules written")
            return try supervise(spec: spec, cgroup: cgroup)
        } catch {
            return fail(Monitor.asCellError(error), cgroup: cgroup)
        }
    }

    /// Starts the container's process (the one `ahead` cloned, or a new one) and watches it
    /// until it ends. `cgroup` is made.
    private func supervise(spec: ContainerSpec, cgroup: Cgroup?, ahead: PreparedStart.Process? = nil) throws -> Int32 {
        let spawner = ProcessSpawner(spec: spec)
        // Its root's folders exist now: it builds its root while we make the rest.
        if let cloned = ahead?.cloned { spawner.letMount(cloned) }
        let plumbing = try ahead?.plumbing ?? ProcessPlumbing(spec: spec, interactive: options.interactive)
        let (signals, output, errorOutput, input, null) = (plumbing.signals, plumbing.output, plumbing.errorOutput,
                                                            plumbing.input, plumbing.null)
        let log = try ContainerLogWriter(path: "\(directory)/container.log", configuration: spec.logConfiguration)
        if let destination = spec.logConfiguration.syslog { log.forwarder = try SyslogWriter(destination: destination) }
        if let destination = spec.logConfiguration.journald { log.forwarder = try JournaldWriter(destination: destination) }
        // fluentd's connection is served from the poll loop below (never waited on there).
        let fluentd = try spec.logConfiguration.fluentd.map { try FluentdWriter(destination: $0) }
        if let fluentd { log.forwarder = fluentd }
        // The container's stdin is fed from our own stdin when attached, else from attach
        // clients; the socket exists before the container starts, so `start` then `attach` works.
        let ownInput = options.interactive && options.attach
        let clientInput = options.interactive && !options.attach
        let server = try AttachServer(containerDirectory: directory,
                                      containerInput: clientInput && !spec.process.terminal ? input?.takeWriteEnd() ?? -1 : -1)
        // Clients that attached before the start (docker run) see the output from its first byte.
        server.adoptWaitingClients(containerDirectory: directory)

        let ports = try PortForwarder(ports: spec.ports)
        PhaseTrace.mark("log, pipes, attach socket, ports ready")
        // The network namespace is taken while the child waits before exec: a command that
        // exits at once (a server missing its files) must not make the start fail.
        // A --rm container's mounts go after its client has heard the exit (MountNamespaceHold).
        var mountNamespace: MountNamespaceHold? = nil
        // The running state is written and synced while the child builds its root (the child
        // takes longer than the network), and takes its place once the command runs.
        var startState: ContainerState? = nil
        var pendingState: PendingReplacement? = nil
        let started: ProcessSpawner.Started
        do {
            let beforeStart = { (pid: Int32) throws in
                mountNamespace = MountNamespaceHold(process: pid)
                for attachment in spec.networkAttachments { try attachment.attach(toNamespaceOf: pid) }
                if !spec.networkAttachments.isEmpty { PhaseTrace.mark("network interfaces plumbed") }
                try ports.attach(toNetworkOf: spec.network == .host ? nil : pid,
                                 address: spec.networkAttachments.first?.address.address.description ?? "127.0.0.1")
                let running = runningState(pid: pid)
                pendingState = try running.pendingWrite(toContainerDirectory: directory, durable: !spec.autoRemove)
                startState = running
                PhaseTrace.mark("state written beside its file")
            }
            if let cloned = ahead?.cloned {
                started = try spawner.start(cloned, beforeStart: beforeStart)
            } else {
                started = try spawner.spawn(stdio: plumbing.stdio, cgroup: cgroup,
                                            windowSize: options.attach ? PseudoTerminal.windowSize(of: 0) : nil, beforeStart: beforeStart)
            }
        } catch {
            pendingState.take()?.discard()
            throw error
        }
        PhaseTrace.mark("container cloned, mounted and exec'd")
        let pid = started.pid
        let terminal = started.terminal
        if let terminal { server.use(terminal, input: clientInput) }
        output.closeWriteEnd()
        errorOutput.closeWriteEnd()
        input?.closeReadEnd()
        try? null.close()

        guard var state = startState, let written = pendingState.take() else {
            throw CellError.system("the container's state was not written")
        }
        try written.replace()
        // Attached, the start pipe stays open: the launcher going away closes its end.
        var attached = options.attach && options.syncDescriptor >= 0
        PhaseTrace.mark("state written")
        report(.started(pid: pid), keepingOpen: attached)
        event("start")
        PhaseTrace.mark("start reported, event recorded")
        if !options.attach && PhaseTrace.isEnabled { releaseClientStreams() }
        // From here on the monitor mostly sleeps in poll(): it gives back the startup code's
        // pages once the container has run a moment. Not at once: a short-lived container's
        // exit would wait for the trim and then fault the code of the exit path back in.
        var trimDeadline: Deadline? = Deadline(after: Monitor.trimDelay)

        var relay: OutputRelay
        var rawMode: RawTerminalMode? = nil
        if let terminal {
            output.closeReadEnd()
            errorOutput.closeReadEnd()
            if ownInput { rawMode = RawTerminalMode(fd: 0) }
            relay = OutputRelay(log: log, attachment: options.attach ? options.attachment : nil,
                                output: fcntl(terminal.master, F_DUPFD_CLOEXEC, 3), errorOutput: -1,
                                input: ownInput ? 0 : -1,
                                containerInput: ownInput ? fcntl(terminal.master, F_DUPFD_CLOEXEC, 3) : -1,
                                detachKeys: ownInput ? options.attachment.detachKeys : nil, server: server)
        } else {
            relay = OutputRelay(log: log, attachment: options.attach ? options.attachment : nil,
                                output: output.takeReadEnd(), errorOutput: errorOutput.takeReadEnd(),
                                input: ownInput ? 0 : -1, containerInput: ownInput ? input?.takeWriteEnd() ?? -1 : -1, server: server)
        }
        defer { rawMode?.restore() }
        var exitStatus: Int32? = nil
        var drainDeadline: Deadline? = nil
        // HEALTHCHECK / --health-*: run on schedule from this same loop.
        let health = HealthChecker(spec: spec, directory: directory)
        while relay.isOpen {
            if let deadline = drainDeadline, deadline.hasPassed { break }
            // Signals are judged by whether the client was attached when they came: a Ctrl-C
            // with --sig-proxy=false ends the client and reaches us in the same instant.
            let proxying = !attached || options.attachment.proxiesSignals
            // One poll() over everything: signals, the attached client's end of the start pipe
            // (an error once it is gone), the container's output, our stdin, ports.
            var ready = [pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0),
                         pollfd(fd: attached ? options.syncDescriptor : -1, events: 0, revents: 0)] + relay.descriptors()
            let serverStart = ready.count
            ready += server.descriptors()
            let healthStart = ready.count
            ready += health?.descriptors() ?? []
            let fluentdStart = ready.count
            ready += fluentd?.descriptors() ?? []
            let portsStart = ready.count
            if exitStatus == nil { ready += ports.descriptors() }
            let timeout = Monitor.earliest(Monitor.earliest(exitStatus != nil ? 100 : health?.pollTimeout ?? -1, fluentd?.pollTimeout ?? -1),
                                           trimDeadline.map { Int32($0.remaining * 1000) + 1 } ?? -1)
            if poll(&ready, nfds_t(ready.count), timeout) > 0 {
                let keysTyped = relay.handle(ready[2..<serverStart])
                if attached && (keysTyped || ready[1].revents != 0) {
                    if keysTyped { report(.detached, keepingOpen: true) }
                    detachClient(relay: &relay, rawMode: &rawMode, terminal: terminal, server: server)
                    attached = false
                }
                server.handle(ready[serverStart..<healthStart])
                health?.handle(ready[healthStart..<fluentdStart])
                fluentd?.handle(ready[fluentdStart..<portsStart])
                if exitStatus == nil { ports.handle(ready[portsStart...]) }
            }
            if exitStatus == nil { health?.tick() }
            if let deadline = trimDeadline, deadline.hasPassed {
                trimDeadline = nil
                if exitStatus == nil { ResidentMemory.trim() }
            }
            // After the output was read and the socket's news handled: new lines go out, a
            // reconnection that is due is made.
            fluentd?.pump()
            while let signal = signals.next() {
                if signal == SIGCHLD {
                    if let status = reapChildren(container: pid, health: health), exitStatus == nil {
                        exitStatus = status
                        // Everything else in the pid namespace dies with its pid 1; whatever
                        // still holds the pipes gets a moment, then the cgroup is emptied.
                        drainDeadline = Deadline(after: 2)
                        ports.closeAll()
                    }
                } else if signal == SIGWINCH, let terminal {
                    // Our terminal changed size: the kernel tells the container's foreground job.
                    if attached { terminal.copyWindowSize(from: 0) }
                } else if exitStatus == nil && proxying
                            && (options.attachment.proxiesSignals || (signal != SIGINT && signal != SIGQUIT)) {
                    // --sig-proxy=false: the client's terminal signals (Ctrl-C) are not the
                    // container's; the client ends, and we detach when we see it go.
                    kill(pid, signal)
                }
            }
        }
        PhaseTrace.mark("container exited, output drained")
        relay.finish()
        // The last lines get a moment to reach fluentd (never a wait for one that is down).
        fluentd?.drain(within: 2)
        health?.stop()
        if exitStatus == nil { exitStatus = waitForContainer(pid) }

        let status = exitStatus!
        state.status = .exited
        // A container paused when it died (its cgroup killed) is not paused any more.
        unlink("\(directory)/paused")
        state.finishedAt = .now()
        if (status & 0x7f) == 0 {
            state.exitCode = (status >> 8) & 0xff
        } else {
            state.exitSignal = status & 0x7f
            state.exitCode = 128 + state.exitSignal
        }
        state.oomKilled = cgroup?.oomKilled() ?? false
        var cleanupError: CellError? = nil
        do {
            try cgroup?.killAll()
            // A --rm container's cgroup goes after its client has the status (below): its
            // name is its id, which no container takes again.
            if !spec.autoRemove { try cgroup?.remove() }
        } catch {
            cleanupError = Monitor.asCellError(error)
            // Kept (below) with what went wrong: its cgroup goes as far as it can.
            if spec.autoRemove { try? cgroup?.remove() }
        }
        if let cleanupError { state.error = cleanupError.message }
        PhaseTrace.mark(spec.autoRemove ? "cgroup emptied" : "cgroup emptied and removed")
        // A container that stays: its mounts go before its exit is recorded, as without the
        // hold; a start, `cp` or `rm` that follows must not find its overlay still mounted.
        let removing = spec.autoRemove && cleanupError == nil
        if !removing { mountNamespace?.release() }
        if state.oomKilled { event("oom") }
        event("die", ["exitCode": String(state.exitCode)])
        if cleanupError == nil && !spec.autoRemove, shouldRestart(&state, spec: spec) {
            server.finish(exitCode: state.exitCode)
            if attached {
                // The client has the exit status; the restarts go on without it.
                report(.exited(state.exitCode), keepingOpen: true)
                detachClient(relay: &relay, rawMode: &rawMode, terminal: terminal, server: server)
                attached = false
            }
            if waitOutBackOff(state.restartDelay, signals: signals) { restart(&state) }
            state.restarting = false
        }
        if removing {
            // docker run --rm (attached or not): the container goes as it exits.
            do {
                let remains = try ContainerRemoval.takeOut(spec, directory: directory)
                PhaseTrace.mark("container out of the store (--rm)")
                event("destroy")
                server.finish(exitCode: state.exitCode)
                if attached {
                    // The client can go: its status now, its terminal as it was, its stdio ours
                    // no more (a pipe it writes to ends when it exits, not when we do).
                    rawMode?.restore()
                    rawMode = nil
                    PhaseTrace.mark("reporting the exit status")
                    report(.exited(state.exitCode))
                    releaseClientStreams()
                }
                // Off the path the client waits for: nothing of the container runs, nothing
                // names it, and its overlay's folders are renamed away.
                mountNamespace?.release()
                try? cgroup?.remove()
                remains.delete()
                // Its record is gone: the exit status of this process is the only trace of the
                // container's, for the process that started it (the API server's `wait`).
                return state.exitCode
            } catch {
                mountNamespace?.release()
                try? cgroup?.remove()
                state.error = Monitor.asCellError(error).message
            }
        }
        try state.write(toContainerDirectory: directory)
        // Attach clients hear the exit only once it is recorded (or the container removed), so
        // that what they do next (`rm`, `start`) sees it stopped, as after `docker attach`.
        server.finish(exitCode: state.exitCode)
        return state.exitCode
    }

    // MARK: events

    /// The container's image, name and labels, for its events (one monitor, one container).
    nonisolated(unsafe) static var eventAttributes: [String: String]?

    /// Records an event of this container (`cell events`): its image, name and labels, as the
    /// CLI's events carry them, read from its record (best effort, as every event).
    private func event(_ action: String, _ extra: [String: String] = [:]) {
        Monitor.recordEvent(action, directory: directory, extra)
    }

    static func recordEvent(_ action: String, directory: String, _ extra: [String: String] = [:]) {
        if eventAttributes == nil {
            // Read once: a --rm container's record is gone by its last event.
            var attributes: [String: String] = [:]
            if let bytes = try? FileSystem.readFileIfPresent("\(directory)/config.json"), let record = try? JSONValue(parsing: bytes) {
                for (key, value) in record["config"]?["labels"]?.objectValue ?? [] { attributes[key] = value.stringValue ?? "" }
                attributes["image"] = record["image"]?.stringValue ?? ""
                attributes["name"] = record["name"]?.stringValue ?? ""
            }
            eventAttributes = attributes
        }
        let attributes = (eventAttributes ?? [:]).merging(extra) { $1 }
        let id = FileSystem.basename(of: directory)
        EventJournal.record(Event(type: "container", action: action, actorID: id, attributes: attributes),
                            root: EventJournal.root(ofContainerDirectory: directory))
    }

    /// The state of a container whose process `pid` runs. A restart by the policy keeps its
    /// count and back-off; a start by the user begins anew.
    private func runningState(pid: Int32) -> ContainerState {
        var state = ContainerState(status: .running, pid: pid, pidStartTime: ProcessStat.startTime(of: pid) ?? 0,
                                   startedAt: .now(), monitorPid: getpid())
        if let previous = try? ContainerState.read(fromContainerDirectory: directory), previous.restarting {
            state.restartCount = previous.restartCount
            state.restartDelay = previous.restartDelay
        }
        return state
    }

    // MARK: --restart

    /// Whether the policy (read again: `update --restart` may have changed it) starts the
    /// process again; if so, `state` says so (restarting, the back-off) on disk.
    private func shouldRestart(_ state: inout ContainerState, spec: ContainerSpec) -> Bool {
        let policy = (try? ContainerSpec.read(fromContainerDirectory: directory))?.restartPolicy ?? spec.restartPolicy
        let stopped = FileSystem.exists(RestartPolicy.stopRequestPath(containerDirectory: directory))
        guard policy.restarts(after: state.exitCode, restarts: state.restartCount, stoppedByUser: stopped) else { return false }
        let ran = Double((state.finishedAt ?? .now()).seconds - (state.startedAt ?? .now()).seconds)
        state.restartDelay = RestartPolicy.nextDelay(previous: state.restartDelay, ranFor: ran)
        state.restarting = true
        return (try? state.write(toContainerDirectory: directory)) != nil
    }

    /// Sleeps the back-off; a signal (`stop` wakes us so) ends it early. True when the
    /// container is still to be restarted: not stopped by the user, not removed meanwhile.
    private func waitOutBackOff(_ milliseconds: Int, signals: SignalDescriptor) -> Bool {
        let deadline = Deadline(after: Double(milliseconds) / 1000)
        let stopRequest = RestartPolicy.stopRequestPath(containerDirectory: directory)
        while !deadline.hasPassed {
            var ready = pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&ready, 1, Int32(deadline.remaining * 1000) + 1)
            while signals.next() != nil {}
            if FileSystem.exists(stopRequest) || !FileSystem.exists(ContainerSpec.path(inContainerDirectory: directory)) { return false }
        }
        return !FileSystem.exists(stopRequest) && FileSystem.exists(ContainerSpec.path(inContainerDirectory: directory))
    }

    /// Becomes a new monitor of the same container (the pid stays, as `state` records it):
    /// everything is set up again from the spec, as at a start; only the count goes on.
    private func restart(_ state: inout ContainerState) {
        state.restartCount += 1
        guard (try? state.write(toContainerDirectory: directory)) != nil else { return }
        var arguments = ["/proc/self/exe"]
        // /proc/self/exe is the sealed copy we were exec'd from, if we were.
        if SealedExecutable.currentProcessIsSealed { arguments.append("--sealed") }
        if options.interactive { arguments.append("--interactive") }
        arguments.append(directory)
        let arena = CStringArena()
        guard let argv = try? arena.stringArray(arguments) else { return }
        execv("/proc/self/exe", UnsafeMutablePointer(mutating: UnsafeRawPointer(argv).assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self)))
        state.error = "restart: exec the monitor: \(Syscall.errorString(errno))"
    }

    /// Reaps every exited child; returns the container's wait status once it is among them.
    private func reapChildren(container: Int32, health: HealthChecker?) -> Int32? {
        var result: Int32? = nil
        while true {
            var status: Int32 = 0
            let reaped = waitpid(-1, &status, WNOHANG)
            if reaped <= 0 { return result }
            if reaped == container {
                result = status
            } else {
                _ = health?.reaped(reaped, status: status)
            }
        }
    }

    /// Kills the container and reaps it. Its pid namespace ends only once every process in it is
    /// reaped, ours too (a health check, a process we started in it): waiting for pid 1 alone
    /// would wait for a zombie of ours forever.
    private func waitForContainer(_ pid: Int32) -> Int32 {
        kill(pid, SIGKILL)
        while true {
            var status: Int32 = 0
            let reaped = waitpid(-1, &status, 0)
            if reaped == pid || (reaped < 0 && errno != EINTR) { return status }
        }
    }

    /// The container did not start: record why, tell the launcher, leave nothing behind.
    private func fail(_ error: CellError, cgroup: Cgroup?) -> Int32 {
        if let cgroup {
            try? cgroup.killAll()
            try? cgroup.remove()
        }
        let state = ContainerState(status: .created, exitCode: error.exitCode, finishedAt: .now(), error: error.message)
        try? state.write(toContainerDirectory: directory)
        if options.syncDescriptor < 0 {
            let text = Array("cell-monitor: \(error.message)\n".utf8)
            _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }
        report(.failed(error))
        return error.exitCode
    }

    /// Writes `message` to the launcher, and closes the fd unless `keepingOpen`.
    private func report(_ message: MonitorSyncMessage, keepingOpen: Bool = false) {
        guard options.syncDescriptor >= 0 else { return }
        _ = Syscall.writeAll(options.syncDescriptor, Array(message.line.utf8)[...])
        if !keepingOpen { close(options.syncDescriptor) }
    }

    /// The attached client went away or typed the detach keys: stop using its terminal and
    /// stdio, leave its session (its hangup must not reach us), and run on as a detached
    /// monitor does. A `-t` container's terminal is handed to attach clients.
    private func detachClient(relay: inout OutputRelay, rawMode: inout RawTerminalMode?, terminal: PseudoTerminal?,
                              server: AttachServer) {
        relay.detach()
        rawMode?.restore()
        rawMode = nil
        if let terminal { server.use(terminal, input: options.interactive) }
        releaseClientStreams()
        setsid()
        close(options.syncDescriptor)
    }

    /// /dev/null in place of the client's stdin, stdout and stderr.
    private func releaseClientStreams() {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        if null >= 0 {
            for fd in Int32(0)...2 { dup2(null, fd) }
            close(null)
        }
    }

    /// Pipes must not land on 0, 1 or 2 (the child maps its stdio onto those numbers), so
    /// any of them that is closed is filled with /dev/null.
    static func reserveStandardDescriptors() {
        for fd in Int32(0)...2 where fcntl(fd, F_GETFD) < 0 {
            let opened = open("/dev/null", O_RDWR)
            if opened >= 0 && opened != fd { close(opened) }
        }
    }

    /// How long a container runs before its monitor gives back its startup code's pages.
    static let trimDelay = 0.1

    /// The shorter of two poll() timeouts, where -1 is none.
    static func earliest(_ first: Int32, _ second: Int32) -> Int32 {
        if first < 0 { return second }
        if second < 0 { return first }
        return min(first, second)
    }

    static func asCellError(_ error: any Error) -> CellError {
        (error as? CellError) ?? CellError(.setup, "\(error)")
    }
}
