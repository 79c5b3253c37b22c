#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore
import CellCgroups
import CellPrivileges

/// `docker exec`: a new process in a running container's cgroups and namespaces, started by
/// the C path in exec.c (safe from the multi-threaded CLI: no helper binary, no process left
/// in between; the new process is the caller's own child).
public enum ContainerExec {
    /// docker exec's flags.
    public struct Options: Equatable, Sendable {
        public var arguments: [String]
        /// `-e`: "NAME=value" replaces or adds; "NAME" alone takes our own value (dropped if unset).
        public var environment: [String]
        /// `-w`: nil for the container's working directory.
        public var workingDirectory: String?
        /// `-u`: nil for the container's user.
        public var user: String?
        public var interactive: Bool
        public var tty: Bool
        /// `-d`: start and return at once (status 0); the process keeps running.
        public var detach: Bool
        /// `--privileged`: every capability (the container's seccomp filter still applies, as with Docker).
        public var privileged: Bool
        /// A bare "NAME" in `environment` unsets NAME (the Engine API's Env, as Docker's daemon
        /// reads it) instead of taking our own value (the CLI's `-e NAME`): a service must not
        /// hand its own environment to a container.
        public var bareNamesUnset: Bool = false

        public init(arguments: [String], environment: [String] = [], workingDirectory: String? = nil, user: String? = nil,
                    interactive: Bool = false, tty: Bool = false, detach: Bool = false, privileged: Bool = false) {
            self.arguments = arguments
            self.environment = environment
            self.workingDirectory = workingDirectory
            self.user = user
            self.interactive = interactive
            self.tty = tty
            self.detach = detach
            self.privileged = privileged
        }
    }

    /// Runs `options.arguments` in the container and streams our stdin (`-i`), stdout and
    /// stderr (kept apart unless `-t`) until it exits. Returns its exit status (128+signal
    /// when killed); throws `.conflict` when the container is not running, and the exec
    /// errors (`.commandNotFound` 127, `.commandNotExecutable` 126) in runc's wording.
    /// `streams` are the caller's: what is read for `-i` and where output goes.
    public static func run(containerDirectory: String, options: Options,
                           streams: ProcessSpawner.StandardStreams = .standard) throws -> Int32 {
        let container = try RunningContainer(containerDirectory: containerDirectory)
        let process = try self.process(for: options, in: container)
        if options.detach {
            // Docker's shim keeps a detached exec's terminal; cell has no process left to hold it.
            if options.tty { throw CellError(.setup, "exec -d -t is not supported: nothing would hold the terminal once cell exits (use -d without -t)") }
            let null = try FileDescriptorHandle(path: "/dev/null", flags: O_RDWR)
            // Not our child: init adopts and reaps it, however long we live.
            _ = try spawn(in: container, process: process, stdio: .init(input: null.fd, output: null.fd, error: null.fd),
                          detached: true)
            return 0
        }
        return try run(in: container, process: process, interactive: options.interactive, streams: streams)
    }

    /// The same with a process already composed (`process.terminal` is `-t`).
    public static func run(containerDirectory: String, process: ContainerSpec.Process, interactive: Bool,
                           streams: ProcessSpawner.StandardStreams = .standard) throws -> Int32 {
        try run(in: RunningContainer(containerDirectory: containerDirectory), process: process, interactive: interactive, streams: streams)
    }

    /// Starts the process with the given fds as its 0, 1, 2 and returns its pid, once it has
    /// exec'd. The caller reaps it (`waitForExit(pid:)`).
    public static func spawn(containerDirectory: String, process: ContainerSpec.Process,
                             stdio: ProcessSpawner.StandardStreams) throws -> Int32 {
        try spawn(in: RunningContainer(containerDirectory: containerDirectory), process: process, stdio: stdio)
    }

    /// waitpid; the exit status, 128+signal when killed.
    public static func waitForExit(pid: Int32) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 125 }
        }
        return exitStatus(status)
    }

    static func exitStatus(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// The process docker would start: the container's environment, user and working
    /// directory, with HOSTNAME, TERM (for -t) and HOME (the user's) added when missing, then
    /// the `-e` overrides.
    public static func process(for options: Options, in container: RunningContainer) throws -> ContainerSpec.Process {
        guard !options.arguments.isEmpty else { throw CellError.usage("exec requires at least 1 argument") }
        let spec = try container.spec()
        var process = spec.process
        process.arguments = options.arguments
        process.terminal = options.tty
        if options.privileged { process.capabilities = .all }
        if let workingDirectory = options.workingDirectory, !workingDirectory.isEmpty {
            process.workingDirectory = workingDirectory
        }
        var environment = spec.process.environment
        func has(_ key: String) -> Bool { environment.contains { $0.hasPrefix(key + "=") } }
        func set(_ entry: String) {
            let key = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
            environment.removeAll { $0 == key || $0.hasPrefix(key + "=") }
            environment.append(entry)
        }
        if !has("PATH") { set("PATH=\(ContainerSpec.defaultPath)") }
        if !has("HOSTNAME") { set("HOSTNAME=\(spec.hostname)") }
        if options.tty && !has("TERM") { set("TERM=xterm") }
        for entry in options.environment {
            if entry.contains("=") {
                set(entry)
            } else if options.bareNamesUnset {
                environment.removeAll { $0 == entry || $0.hasPrefix(entry + "=") }
            } else if let value = getenv(entry) {
                set("\(entry)=\(String(cString: value))")
            }
        }
        let needsHome = !environment.contains { $0.hasPrefix("HOME=") }
        if options.user != nil || needsHome {
            let root = try container.openRoot()
            defer { close(root) }
            let user = try ContainerUser.resolve(options.user ?? String(process.uid), rootDirectory: root)
            if let text = options.user, !text.isEmpty {
                process.uid = user.uid
                process.gid = user.gid
                process.additionalGids = user.additionalGids
            }
            if needsHome { environment.append("HOME=\(user.home)") }
        }
        process.environment = environment
        return process
    }

    static func run(in container: RunningContainer, process: ContainerSpec.Process, interactive: Bool,
                    streams: ProcessSpawner.StandardStreams) throws -> Int32 {
        let peer = DescriptorPeer(streams)
        // Our own stdio never goes away, so the relay always ends with the process's status.
        return try run(in: container, process: process, interactive: interactive, peer: peer,
                       windowSize: PseudoTerminal.windowSize(of: peer.windowSource)) ?? 125
    }

    /// Runs `process` with `peer` at the other end of its stdio (`interactive`: the peer's input
    /// is the process's stdin) until it exits; its exit status. `windowSize` is a `-t` process's
    /// first size; `started` is told the pid (and the pty) once the process runs, before any byte
    /// moves. nil when the peer went away first: the process, our child still, has had its stdio
    /// closed and is the caller's to reap (`ChildReaper`).
    public static func run(in container: RunningContainer, process: ContainerSpec.Process, interactive: Bool,
                           peer: any SessionPeer, windowSize: (rows: UInt16, columns: UInt16)?,
                           started: (Int32, PseudoTerminal?) -> Void = { _, _ in }) throws -> Int32? {
        if process.terminal {
            // The pty is the container's (made in its devpts by the process joining it), with our size.
            let consoleSocket = try ConsoleSocket()
            let pid = try spawn(in: container, process: process, stdio: .init(input: -1, output: -1, error: -1),
                                console: (consoleSocket, windowSize))
            let terminal: PseudoTerminal
            do {
                terminal = try consoleSocket.receive()
            } catch {
                kill(pid, SIGKILL)
                _ = waitForExit(pid: pid)
                throw error
            }
            started(pid, terminal)
            let relay = ExecRelay(pid: pid, outputs: [(terminal.master, .stdout)], peer: peer, interactive: interactive,
                                  processInput: interactive ? terminal.master : -1, terminal: terminal)
            return relay.run()
        }
        let output = try PipePair()
        let errorOutput = try PipePair()
        let input: PipePair? = interactive ? try PipePair() : nil
        let null = try FileDescriptorHandle(path: "/dev/null", flags: O_RDONLY)
        let pid = try spawn(in: container, process: process,
                            stdio: .init(input: input?.readEnd ?? null.fd, output: output.writeEnd, error: errorOutput.writeEnd))
        output.closeWriteEnd()
        errorOutput.closeWriteEnd()
        input?.closeReadEnd()
        try? null.close()
        started(pid, nil)
        let relay = ExecRelay(pid: pid, outputs: [(output.takeReadEnd(), .stdout), (errorOutput.takeReadEnd(), .stderr)],
                              peer: peer, interactive: interactive, processInput: input?.takeWriteEnd() ?? -1, terminal: nil)
        return relay.run()
    }

    /// `exec -d` in a process that reaps its children (the API service): the process runs with
    /// /dev/null as its stdio, as our child, and `whenExited` gets its status (`ChildReaper`);
    /// its pid. Without a reaper it is started as `run(containerDirectory:options:)` does with
    /// `detach`, and its status is never known.
    public static func startDetached(in container: RunningContainer, process: ContainerSpec.Process,
                                     whenExited: @escaping @Sendable (Int32) -> Void) throws -> Int32 {
        let null = try FileDescriptorHandle(path: "/dev/null", flags: O_RDWR)
        let stdio = ProcessSpawner.StandardStreams(input: null.fd, output: null.fd, error: null.fd)
        guard MonitorReaper.shared != nil else {
            return try spawn(in: container, process: process, stdio: stdio, detached: true)
        }
        let pid = try spawn(in: container, process: process, stdio: stdio)
        ChildReaper.watch(pid, whenExited: whenExited)
        return pid
    }

    /// The same in a container already pinned (its spec read once for `process(for:in:)` and this).
    public static func spawn(in container: RunningContainer, process: ContainerSpec.Process,
                             stdio: ProcessSpawner.StandardStreams, detached: Bool = false) throws -> Int32 {
        try spawn(in: container, process: process, stdio: stdio, detached: detached, console: nil)
    }

    /// With `console`, a -t process's pty is made in the container and its master sent to the
    /// socket (`stdio` is not used then).
    static func spawn(in container: RunningContainer, process: ContainerSpec.Process, stdio: ProcessSpawner.StandardStreams,
                      detached: Bool = false,
                      console: (socket: ConsoleSocket, windowSize: (rows: UInt16, columns: UInt16)?)?) throws -> Int32 {
        guard !process.arguments.isEmpty else { throw CellError.usage("exec requires at least 1 argument") }
        // Strictly: without the spec, the exec helper and the user namespace would be skipped.
        let spec = try container.spec()
        // Without cgroups of its own (--cgroups=disabled) it joins none, and the container has no
        // cgroup namespace of its own to join either.
        let cgroupHandles = try CgroupJoinHandles(container.cgroup())
        defer { withExtendedLifetime(cgroupHandles) {} }
        let arena = CStringArena()
        var namespaces = CELL_NEW_MOUNT.rawValue | CELL_NEW_PID.rawValue | CELL_NEW_UTS.rawValue
            | CELL_NEW_IPC.rawValue | CELL_NEW_NETWORK.rawValue
        if spec.cgroups != .disabled { namespaces |= CELL_NEW_CGROUP.rawValue }
        try ContainerUser.checkRange(uid: process.uid, gid: process.gid, additionalGids: process.additionalGids)
        var config = cell_exec_config()
        config.pidfd = container.pidfd
        config.namespaces = Int32(bitPattern: namespaces)
        config.cgroup_fd = cgroupHandles.directory
        config.cgroup_thread_fds = arena.values(cgroupHandles.threadFiles)
        config.cgroup_thread_count = cgroupHandles.threadFiles.count
        config.argv = try arena.stringArray(process.arguments)
        config.envp = try arena.stringArray(process.environment)
        config.search_path = try arena.optionalString(
            process.environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) })
        config.working_directory = try arena.string(process.workingDirectory.isEmpty ? "/" : process.workingDirectory)
        config.uid = process.uid
        config.gid = process.gid
        config.groups = arena.values(process.additionalGids)
        config.group_count = process.additionalGids.count
        config.stdin_fd = stdio.input
        config.stdout_fd = stdio.output
        config.stderr_fd = stdio.error
        config.terminal = process.terminal ? 1 : 0
        config.detached = detached ? 1 : 0
        config.capabilities = process.capabilities.mask
        config.no_new_privileges = process.noNewPrivileges ? 1 : 0
        // The container's filter, whatever this process's capabilities (runc installs the
        // container's for every exec: --privileged adds capabilities, not system calls).
        let filter = try process.seccomp.profile.map {
            try SeccompFilter.program(for: $0, capabilities: spec.process.capabilities, cacheDirectory: spec.seccompCache)
        } ?? []
        config.seccomp_filter = arena.values(filter).map { UnsafeRawPointer($0) }
        config.seccomp_filter_length = filter.count
        let helperFD = try spec.execHelper.map(SealedExecutable.open) ?? -1
        defer { if helperFD >= 0 { close(helperFD) } }
        config.exec_helper_fd = helperFD
        config.join_user_namespace = spec.idMapping == nil ? 0 : 1
        let rlimits = try ProcessSpawner.rlimits(process.ulimits)
        config.rlimits = arena.values(rlimits)
        config.rlimit_count = rlimits.count
        config.oom_score_adj = try arena.optionalString(process.oomScoreAdjustment.map { String($0) })
        config.console = console.map { $0.socket.console(owner: spec.hostUID(of: process.uid), windowSize: $0.windowSize) } ?? .none

        var pid: pid_t = 0
        var failure = cell_spawn_failure()
        PhaseTrace.mark("exec configured (spec, cgroup handles, seccomp program, cell-init)")
        let result = cell_exec_spawn(&config, &pid, &failure)
        PhaseTrace.mark("process joined the container and exec'd")
        console?.socket.closeChildEnd()
        if result == 0 { return pid }
        if result < 0 { throw CellError(.setup, "exec: \(Syscall.errorString(-result))") }
        throw error(for: failure, process: process, container: container)
    }

    static func error(for failure: cell_spawn_failure, process: ContainerSpec.Process, container: RunningContainer) -> CellError {
        let lowered = Syscall.lowercaseErrorString(failure.error)
        switch cell_spawn_stage(rawValue: UInt32(failure.stage)) {
        case CELL_STAGE_EXEC:
            return ProcessSpawner.execError(command: process.arguments[0], code: failure.error)
        case CELL_STAGE_WORKING_DIRECTORY:
            return CellError(.commandNotExecutable,
                             "chdir to cwd (\"\(process.workingDirectory)\") set in config.json failed: \(lowered)")
        case CELL_STAGE_JOIN_NAMESPACES where failure.error == ESRCH:
            return RunningContainer.notRunning(container.directory)
        case CELL_STAGE_JOIN_NAMESPACES: return CellError(.setup, "join the container's namespaces: \(lowered)")
        case CELL_STAGE_CGROUP: return CellError(.setup, "join the container's cgroup: \(lowered)")
        case CELL_STAGE_FORK: return CellError(.setup, "fork in the container: \(lowered)")
        case CELL_STAGE_STDIO: return CellError(.setup, "set up stdio: \(lowered)")
        case CELL_STAGE_TERMINAL: return CellError(.setup, "make the terminal the controlling one: \(lowered)")
        case CELL_STAGE_GROUPS: return CellError(.setup, "setgroups \(process.additionalGids): \(lowered)")
        case CELL_STAGE_GID: return CellError(.setup, "setgid \(process.gid): \(lowered)")
        case CELL_STAGE_CAPABILITIES: return CellError(.setup, "set the capabilities: \(lowered)")
        case CELL_STAGE_SECCOMP: return CellError(.setup, "install the seccomp filter: \(lowered)")
        case CELL_STAGE_UID: return CellError(.setup, "setuid \(process.uid): \(lowered)")
        case CELL_STAGE_EXEC_HELPER: return CellError(.setup, "exec cell-init: \(lowered)")
        case CELL_STAGE_USER_NAMESPACE: return CellError(.setup, "join the container's user namespace: \(lowered)")
        case CELL_STAGE_RLIMIT:
            let index = Int(failure.index)
            return ProcessSpawner.ulimitError(index < process.ulimits.count ? process.ulimits[index] : nil, code: failure.error)
        case CELL_STAGE_OOM_SCORE_ADJ: return ProcessSpawner.oomScoreError(process.oomScoreAdjustment, code: failure.error)
        case CELL_STAGE_CONSOLE: return CellError(.setup, "\(ProcessSpawner.consoleStep(failure.index)): \(lowered)")
        default: return CellError(.setup, "exec (stage \(failure.stage)): \(lowered)")
        }
    }
}
