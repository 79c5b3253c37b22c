#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore
import CellCgroups
import CellPrivileges

/// Starts the container's process from a spec through the C fork→exec path (`cell_spawn`),
/// and turns a failure before exec into a CellError with Docker's exit-status kinds.
public struct ProcessSpawner {
    /// The fds that become the container's 0, 1, 2 (each must be above 2 or equal to its target).
    public struct StandardStreams: Sendable {
        public var input: Int32
        public var output: Int32
        public var error: Int32

        public init(input: Int32, output: Int32, error: Int32) {
            self.input = input
            self.output = output
            self.error = error
        }

        /// The calling process's own 0, 1, 2.
        public static let standard = StandardStreams(input: 0, output: 1, error: 2)
    }

    /// What `spawn` started: the pid, and for a `-t` process the master of its pty.
    public struct Started {
        public let pid: Int32
        public let terminal: PseudoTerminal?
    }

    public let spec: ContainerSpec

    public init(spec: ContainerSpec) {
        self.spec = spec
    }

    /// The overlay's mount data. Note: the kernel takes at most one page of it, which bounds
    /// the number of layers with long paths.
    public var overlayOptions: String? {
        guard case .overlay(let overlay) = spec.rootFilesystem else { return nil }
        return OverlayPaths.mountOptions(lower: overlay.lowerDirectories, upper: overlay.upperDirectory,
                                         work: overlay.workDirectory)
    }

    /// A child cloned into its namespaces and cgroup (`clone`), waiting: with
    /// `waitingBeforeRoot`, before its root until `letMount`; then, its root built, until `start`.
    public final class Cloned {
        public var pid: Int32 { child.pid }
        fileprivate var child: cell_child
        fileprivate let consoleSocket: ConsoleSocket?
        fileprivate let phaseTimes: SpawnPhaseTimes?
        /// What the clone was given (the cgroup's handles, the user namespace's mounts, the
        /// donors' pidfds), held until the child has exec'd or is gone.
        fileprivate let resources: Any
        /// Whether it execs its command through cell-init (else directly).
        fileprivate let throughHelper: Bool

        fileprivate init(child: cell_child, consoleSocket: ConsoleSocket?, phaseTimes: SpawnPhaseTimes?, resources: Any,
                         throughHelper: Bool) {
            self.child = child
            self.throughHelper = throughHelper
            self.consoleSocket = consoleSocket
            self.phaseTimes = phaseTimes
            self.resources = resources
        }

        /// A child that is not to run: killed, and reaped.
        public func abandon() {
            cell_spawn_abort(&child)
            var status: Int32 = 0
            while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    /// Clones the container's process into `cgroup` (into its v2 directory directly when the
    /// kernel can; the child moves itself into the v1 ones), calls `beforeStart` with its pid
    /// while the child builds its root, then lets it exec: nothing of the image runs before
    /// `beforeStart` returns. Returns the pid once execve succeeded. On a failure the child has
    /// been reaped and the error says which stage failed.
    ///
    /// A `-t` process gets a pty the child makes in the container's own devpts (`stdio` is not
    /// used then): its master is received before the child is let go, with `windowSize` set.
    public func spawn(stdio: StandardStreams, cgroup: Cgroup?, windowSize: (rows: UInt16, columns: UInt16)? = nil,
                      beforeStart: (_ pid: Int32) throws -> Void) throws -> Started {
        try start(clone(stdio: stdio, cgroup: cgroup, windowSize: windowSize), beforeStart: beforeStart)
    }

    /// `spawn`'s first half: the child cloned, waiting. `waitingBeforeRoot`: it waits for
    /// `letMount` before it mounts its root (cloned while the container is being recorded).
    public func clone(stdio: StandardStreams, cgroup: Cgroup?, windowSize: (rows: UInt16, columns: UInt16)? = nil,
                      waitingBeforeRoot: Bool = false) throws -> Cloned {
        let arena = CStringArena()
        let mounts = try ProcessSpawner.checkedMounts(spec.allMounts)
        let cMounts: [cell_mount] = try mounts.map { mount in
            switch mount {
            case .bind(let source, let destination, let access):
                let readOnly: cell_read_only = switch access {
                case .readWrite: CELL_READ_WRITE
                case .readOnly: CELL_READ_ONLY
                case .readOnlyTopOnly: CELL_READ_ONLY_TOP_ONLY
                }
                return cell_mount(kind: Int32(CELL_MOUNT_BIND.rawValue), source: try arena.string(source),
                                  destination: try arena.string(destination), options: nil, flags: 0,
                                  read_only: Int32(readOnly.rawValue))
            case .tmpfs(let destination, let options):
                let tmpfs = try TmpfsOptions(options)
                return cell_mount(kind: Int32(CELL_MOUNT_TMPFS.rawValue), source: nil, destination: try arena.string(destination),
                                  options: tmpfs.data.isEmpty ? nil : try arena.string(tmpfs.data), flags: tmpfs.flags, read_only: 0)
            }
        }
        // A donor's (--pid/--ipc container:NAME) pid 1 pinned by a pidfd, joined through it.
        let donors = try spec.joinedNamespaces.mapValues(ProcessSpawner.donor)
        let sharing = spec.hostNamespaces.union(donors.keys)
        var namespaces = CELL_NEW_MOUNT.rawValue
        if !sharing.contains(.pid) { namespaces |= CELL_NEW_PID.rawValue }
        if !sharing.contains(.uts) { namespaces |= CELL_NEW_UTS.rawValue }
        if !sharing.contains(.ipc) { namespaces |= CELL_NEW_IPC.rawValue }
        if spec.network == .container && donors[.net] == nil {
            throw CellError(.setup, "--network container: the container whose network this one joins was not found")
        }
        if spec.network == .private || spec.network == .none { namespaces |= CELL_NEW_NETWORK.rawValue }

        // A record written before ids were checked must not start as (uid_t)-1, that is root.
        try ContainerUser.checkRange(uid: spec.process.uid, gid: spec.process.gid, additionalGids: spec.process.additionalGids)
        var config = cell_spawn_config()
        config.argv = try arena.stringArray(spec.process.arguments)
        config.envp = try arena.stringArray(spec.process.environment)
        config.search_path = try arena.optionalString(spec.searchPath)
        config.working_directory = try arena.string(spec.process.workingDirectory)
        config.uid = spec.process.uid
        config.gid = spec.process.gid
        config.groups = arena.values(spec.process.additionalGids)
        config.group_count = spec.process.additionalGids.count
        config.stdin_fd = stdio.input
        config.stdout_fd = stdio.output
        config.stderr_fd = stdio.error
        config.terminal = spec.process.terminal ? 1 : 0
        let rlimits = try ProcessSpawner.rlimits(spec.process.ulimits)
        config.rlimits = arena.values(rlimits)
        config.rlimit_count = rlimits.count
        config.oom_score_adj = try arena.optionalString(spec.process.oomScoreAdjustment.map { String($0) })
        // Checked at creation too; a spec is a file, and the host's sysctls are not the container's.
        try ContainerSpec.checkSysctls(spec.sysctls.keys, network: spec.network, hostNamespaces: spec.hostNamespaces)
        let sysctls = try spec.sysctls.sorted { $0.key < $1.key }.map { key, value in
            guard let path = ContainerSpec.sysctlPath(key) else { throw CellError(.setup, "invalid sysctl \"\(key)\"") }
            return cell_sysctl(path: try arena.string(path), value: try arena.string(value))
        }
        config.sysctls = arena.values(sysctls)
        config.sysctl_count = sysctls.count
        config.shm_options = try arena.string("mode=1777,size=\(spec.shmSize)")
        let consoleSocket = spec.process.terminal ? try ConsoleSocket() : nil
        // The process's uid owns its tty, as runc does it (the group stays devpts' gid=).
        config.console = consoleSocket?.console(owner: spec.hostUID(of: spec.process.uid), windowSize: windowSize) ?? .none
        config.clone_flags = Int32(bitPattern: namespaces)
        config.hostname = try arena.string(spec.hostname)
        config.loopback_up = spec.network == .private ? 1 : 0
        config.root = try arena.string(spec.rootDirectory)
        config.overlay_options = try arena.optionalString(overlayOptions)
        config.read_only_root = spec.readOnlyRootFilesystem ? 1 : 0
        config.mounts = arena.values(cMounts)
        config.mount_count = cMounts.count
        config.masked_paths = try arena.stringArray(spec.maskedPaths)
        config.read_only_paths = try arena.stringArray(spec.readOnlyPaths)
        config.capabilities = spec.process.capabilities.mask
        config.no_new_privileges = spec.process.noNewPrivileges ? 1 : 0
        config.devices_allowed = spec.devicesAllowed ? 1 : 0
        // No devices cgroup: /dev is nodev but for the nodes made here.
        config.dev_nodev = spec.cgroups == .disabled ? 1 : 0
        let devices = try spec.devices.map { device in
            cell_device(path: try arena.string(device.path),
                        mode: (device.kind == .block ? UInt32(S_IFBLK) : UInt32(S_IFCHR)) | device.permissions,
                        major: device.major, minor: device.minor, uid: device.uid, gid: device.gid)
        }
        config.devices = arena.values(devices)
        config.device_count = devices.count
        // Without cgroups of its own (--cgroups=disabled) no namespace and no view: the monitor's
        // cgroup is not the container's to show, and /sys/fs/cgroup stays sysfs's empty directory.
        config.cgroup_namespace = spec.cgroups == .disabled ? 0 : 1
        config.cgroup_writable = spec.cgroupsWritable ? 1 : 0
        // A volume at /sys or below that hides /sys/fs/cgroup is the user's: the view is not made
        // inside it (it may be a host directory), as Docker drops a default mount a volume covers.
        let cgroupViewHidden = mounts.contains { MountDestination.hides("/sys/fs/cgroup", destination: $0.destination) }
        if cgroupViewHidden {
            config.mount_cgroup2 = 0
        } else if case .legacy(let hierarchies, let unified)? = cgroup?.layout {
            config.cgroup1_hierarchies = try arena.stringArray(hierarchies.map { $0.controllers.joined(separator: ",") })
            config.mount_cgroup2_unified = unified == nil ? 0 : 1
        } else {
            config.mount_cgroup2 = cgroup == nil ? 0 : 1
        }
        let filter = try spec.process.seccomp.profile.map {
            try SeccompFilter.program(for: $0, capabilities: spec.process.capabilities, cacheDirectory: spec.seccompCache)
        } ?? []
        config.seccomp_filter = arena.values(filter).map { UnsafeRawPointer($0) }
        config.seccomp_filter_length = filter.count

        guard !spec.process.arguments.isEmpty else { throw CellError(.usage, "no command specified") }
        let cgroupHandles = try CgroupJoinHandles(cgroup)
        config.cgroup_fd = cgroupHandles.directory
        config.cgroup_thread_fds = arena.values(cgroupHandles.threadFiles)
        config.cgroup_thread_count = cgroupHandles.threadFiles.count
        // Cloned from a sealed monitor, the child's /proc/self/exe is read-only already: the
        // command is exec'd directly, one exec sooner (`SealedExecutable`).
        let helperFD = SealedExecutable.currentProcessIsSealed ? -1 : try spec.execHelper.map(SealedExecutable.open) ?? -1
        defer { if helperFD >= 0 { close(helperFD) } }
        config.exec_helper_fd = helperFD
        config.join_pid_pidfd = donors[.pid]?.pidfd ?? -1
        config.join_ipc_pidfd = donors[.ipc]?.pidfd ?? -1
        config.join_net_pidfd = spec.network == .container ? donors[.net]?.pidfd ?? -1 : -1
        var userNamespace: UserNamespaceMounts?
        config.userns_fd = -1
        if let mapping = spec.idMapping {
            guard case .overlay(let overlay) = spec.rootFilesystem else {
                throw CellError(.setup, "a user namespace needs an overlay root")
            }
            let mounts = try UserNamespaceMounts(mapping: mapping, overlay: overlay)
            userNamespace = mounts
            config.overlay_options = try arena.string(mounts.overlayOptions)
            config.userns_fd = mounts.namespace
            config.userns_root_uid = mapping.uids.hostStart
            config.userns_root_gid = mapping.gids.hostStart
            config.tty_gid = mapping.gids.hostID(of: 5) ?? 0
        }
        config.wait_before_root = waitingBeforeRoot ? 1 : 0
        let phaseTimes = SpawnPhaseTimes()
        config.phase_times = phaseTimes?.times
        var child = cell_child()
        PhaseTrace.mark("spawn configured (mounts, seccomp program, cgroup handles)")
        let result = cell_spawn(&config, &child)
        PhaseTrace.mark("cloned into new namespaces")
        consoleSocket?.closeChildEnd()
        if result < 0 { throw CellError(.setup, "clone: \(Syscall.errorString(-result))") }
        return Cloned(child: child, consoleSocket: consoleSocket, phaseTimes: phaseTimes,
                      resources: (userNamespace, cgroupHandles, donors) as Any, throughHelper: helperFD >= 0)
    }

    /// Lets a child cloned `waitingBeforeRoot` mount its root: its folders exist now. A child
    /// that failed meanwhile says how at `start`.
    public func letMount(_ cloned: Cloned) {
        _ = cell_spawn_let_mount(&cloned.child)
    }

    /// `spawn`'s second half, on a cloned child (let mount its root, if it waited for that).
    public func start(_ cloned: Cloned, beforeStart: (_ pid: Int32) throws -> Void) throws -> Started {
        var child = cloned.child
        defer { cloned.child = child }
        let consoleSocket = cloned.consoleSocket
        let phaseTimes = cloned.phaseTimes
        var failure = cell_spawn_failure()
        do {
            try beforeStart(child.pid)
        } catch {
            // A child that failed on its own way (its namespace gone under the hook) says why.
            kill(child.pid, SIGKILL)
            let released = cell_spawn_release(&child, &failure)
            reap(child.pid)
            throw released == 1 ? self.error(for: failure) : error
        }
        var terminal: PseudoTerminal? = nil
        do {
            terminal = try consoleSocket?.receive()
        } catch {
            // It failed on the way (its report says where) or sent nothing usable: it must not run.
            kill(child.pid, SIGKILL)
            let released = cell_spawn_release(&child, &failure)
            reap(child.pid)
            throw released == 1 ? self.error(for: failure) : error
        }
        PhaseTrace.mark("network namespace handed to the port forwarders")
        let released = cell_spawn_release(&child, &failure)
        phaseTimes?.mark()
        PhaseTrace.mark(cloned.throughHelper ? "child exec'd the command (through cell-init)" : "child exec'd the command")
        if released == 0 { return Started(pid: child.pid, terminal: terminal) }
        reap(child.pid)
        if released < 0 { throw CellError(.setup, "start container process: \(Syscall.errorString(-released))") }
        throw error(for: failure)
    }

    /// The running container at `directory` whose namespace is joined; Docker's words when it
    /// has stopped since the start looked it up.
    private static func donor(_ directory: String) throws -> RunningContainer {
        do {
            return try RunningContainer(containerDirectory: directory)
        } catch let error as CellError where error.kind == .conflict {
            let id = String(directory.split(separator: "/").last ?? "").prefix(12)
            throw CellError(.setup, "failed to join a namespace of container \(id): it is not running")
        }
    }

    /// The spec's mounts with their destinations cleaned, each checked again as creation checked
    /// it: a record written by an older cell may hold one that would cover / or /proc.
    static func checkedMounts(_ mounts: [ContainerSpec.Mount]) throws -> [ContainerSpec.Mount] {
        try mounts.map { mount in
            do {
                switch mount {
                case .bind(let source, let destination, let access):
                    let clean = try MountDestination.checked(destination, kind: .bind, sourceIsProc: MountDestination.isProc(source))
                    return .bind(source: source, destination: clean, access: access)
                case .tmpfs(let destination, let options):
                    return .tmpfs(destination: try MountDestination.checked(destination, kind: .tmpfs), options: options)
                }
            } catch let error as CellError {
                throw CellError(.setup, "mount on \(mount.destination): \(error.message)")
            }
        }
    }

    /// The limits as setrlimit takes them (a name Docker does not know is refused).
    static func rlimits(_ ulimits: [Ulimit]) throws -> [cell_rlimit] {
        try ulimits.map { ulimit in
            guard let resource = ulimit.resource else { throw CellError(.setup, "invalid ulimit type: \(ulimit.name)") }
            return cell_rlimit(resource: resource, soft: ulimit.softValue, hard: ulimit.hardValue)
        }
    }

    /// A limit setrlimit refused, in words: raising one past the hard limit we have needs
    /// CAP_SYS_RESOURCE, which this process may lack.
    static func ulimitError(_ ulimit: Ulimit?, code: Int32) -> CellError {
        guard let ulimit else { return CellError(.setup, "setrlimit: \(Syscall.errorString(code))") }
        var message = "error setting rlimit \(ulimit.description): \(Syscall.lowercaseErrorString(code))"
        var current = rlimit()
        if code == EPERM, let resource = ulimit.resource, getrlimit(__rlimit_resource_t(UInt32(resource)), &current) == 0,
           ulimit.hardValue > current.rlim_max {
            let limit = current.rlim_max == UInt64.max ? "unlimited" : String(current.rlim_max)
            message += " (raising the hard limit above \(limit) needs CAP_SYS_RESOURCE)"
        }
        return CellError(.setup, message)
    }

    /// The kernel lets a process lower its OOM score adjustment only as far as a process with
    /// CAP_SYS_RESOURCE last set it.
    static func oomScoreError(_ adjustment: Int32?, code: Int32) -> CellError {
        var message = "write \(adjustment.map { String($0) } ?? "") to /proc/self/oom_score_adj: "
        message += Syscall.lowercaseErrorString(code)
        if code == EACCES { message += " (lowering the OOM score adjustment needs CAP_SYS_RESOURCE)" }
        return CellError(.setup, message)
    }

    private func reap(_ pid: Int32) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// execve's failure in runc's words: not found → 127, not executable → 126.
    static func execError(command: String, code: Int32) -> CellError {
        let lowered = Syscall.lowercaseErrorString(code)
        switch code {
        case ENOENT where command.contains("/"):
            return CellError(.commandNotFound, "exec: \"\(command)\": stat \(command): \(lowered)")
        case ENOENT:
            return CellError(.commandNotFound, "exec: \"\(command)\": executable file not found in $PATH")
        case EACCES, ENOEXEC, EPERM, EISDIR:
            return CellError(.commandNotExecutable, "exec: \"\(command)\": \(lowered)")
        default:
            return CellError(.setup, "exec: \"\(command)\": \(lowered)")
        }
    }

    /// What failed while making a `-t` process's pty (CELL_STAGE_CONSOLE's index).
    static func consoleStep(_ index: Int32) -> String {
        switch cell_console_step(rawValue: UInt32(bitPattern: index)) {
        case CELL_CONSOLE_OPEN: return "open the container's /dev/pts/ptmx"
        case CELL_CONSOLE_CHECK: return "the container's /dev/pts/ptmx is not a devpts ptmx"
        case CELL_CONSOLE_UNLOCK: return "unlock the container's pseudo-terminal"
        case CELL_CONSOLE_PEER: return "open the container's pseudo-terminal slave"
        case CELL_CONSOLE_OWNER: return "chown the container's pseudo-terminal"
        case CELL_CONSOLE_SIZE: return "set the pseudo-terminal's window size"
        case CELL_CONSOLE_SEND: return "send the pseudo-terminal to the runtime"
        case CELL_CONSOLE_BIND: return "bind the pseudo-terminal at /dev/console"
        default: return "set up the container's pseudo-terminal"
        }
    }

    /// Docker's wording where users know it (exec), the failed step and errno elsewhere.
    func error(for failure: cell_spawn_failure) -> CellError {
        let stage = cell_spawn_stage(rawValue: UInt32(failure.stage))
        let mounting = [CELL_STAGE_MOUNT, CELL_STAGE_MOUNT_PROC, CELL_STAGE_MOUNT_DEV, CELL_STAGE_MOUNT_SYS].contains(stage)
        // EXDEV from the child's mounts: the path as written was fine, a symlink in the image was not.
        let reason = mounting && failure.error == EXDEV
            ? "a symlink in the image leads the mount point to / or into /proc"
            : Syscall.errorString(failure.error)
        let index = Int(failure.index)
        let root = spec.rootDirectory
        func setup(_ what: String) -> CellError { CellError(.setup, "\(what): \(reason)") }
        switch stage {
        case CELL_STAGE_EXEC:
            return ProcessSpawner.execError(command: spec.process.arguments.first ?? "", code: failure.error)
        case CELL_STAGE_MAKE_PRIVATE: return setup("make the container's mounts private")
        case CELL_STAGE_JOIN_NAMESPACES: return setup("failed to join IPC namespace")
        case CELL_STAGE_MOUNT_ROOT:
            return overlayOptions == nil ? setup("bind \(root) on itself") : setup("mount overlay on \(root)")
        case CELL_STAGE_OPEN_ROOT: return setup("open \(root)")
        case CELL_STAGE_MOUNT_PROC: return setup("mount proc on \(root)/proc")
        case CELL_STAGE_MOUNT_DEV: return setup("set up /dev in \(root)")
        case CELL_STAGE_MOUNT_SYS: return setup("mount sysfs on \(root)/sys")
        case CELL_STAGE_MOUNT:
            let mounts = spec.allMounts
            guard index < mounts.count else { return setup("mount") }
            switch mounts[index] {
            case .bind(let source, let destination, _): return setup("mount \(source) on \(destination)")
            case .tmpfs(let destination, _): return setup("mount tmpfs on \(destination)")
            }
        case CELL_STAGE_MOUNT_READ_ONLY:
            let mounts = spec.allMounts
            guard index < mounts.count, case .bind(let source, let destination, let access) = mounts[index] else {
                return setup("make a mount read-only")
            }
            if failure.error == ENOSYS && access == .readOnly {
                return CellError(.setup, "mount \(source) on \(destination) read-only recursively: the kernel has no mount_setattr "
                                 + "(Linux 5.12 or later); ask for \(source):\(destination):ro-non-recursive to leave the mounts below it writable")
            }
            return setup("make \(destination) \(access.isReadOnly ? "read-only" : "nodev")")
        case CELL_STAGE_MASK_PATH:
            return setup("mask \(index < spec.maskedPaths.count ? spec.maskedPaths[index] : "path")")
        case CELL_STAGE_READ_ONLY_PATH:
            return setup("make \(index < spec.readOnlyPaths.count ? spec.readOnlyPaths[index] : "path") read-only")
        case CELL_STAGE_PIVOT_ROOT: return setup("pivot_root to \(root)")
        case CELL_STAGE_READ_ONLY_ROOT: return setup("remount / read-only")
        case CELL_STAGE_HOSTNAME: return setup("set hostname \(spec.hostname)")
        case CELL_STAGE_LOOPBACK: return setup("bring up the loopback interface")
        case CELL_STAGE_WORKING_DIRECTORY:
            return setup("chdir to cwd (\"\(spec.process.workingDirectory)\") set in the container's config failed")
        case CELL_STAGE_STDIO: return setup("set up stdio")
        case CELL_STAGE_TERMINAL: return setup("make the terminal the controlling one")
        case CELL_STAGE_GROUPS: return setup("setgroups \(spec.process.additionalGids)")
        case CELL_STAGE_GID: return setup("setgid \(spec.process.gid)")
        case CELL_STAGE_UID: return setup("setuid \(spec.process.uid)")
        case CELL_STAGE_CLOSE_FDS: return setup("close file descriptors")
        case CELL_STAGE_CAPABILITIES: return setup("set the capabilities")
        case CELL_STAGE_SECCOMP: return setup("install the seccomp filter")
        case CELL_STAGE_CGROUP: return setup("join the container's cgroup")
        case CELL_STAGE_CGROUP_NAMESPACE: return setup("enter a cgroup namespace")
        case CELL_STAGE_EXEC_HELPER: return setup("exec \(spec.execHelper ?? "cell-init")")
        case CELL_STAGE_USER_NAMESPACE: return setup("enter the user namespace")
        case CELL_STAGE_RLIMIT:
            return ProcessSpawner.ulimitError(index < spec.process.ulimits.count ? spec.process.ulimits[index] : nil, code: failure.error)
        case CELL_STAGE_OOM_SCORE_ADJ:
            return ProcessSpawner.oomScoreError(spec.process.oomScoreAdjustment, code: failure.error)
        case CELL_STAGE_SYSCTL:
            let keys = spec.sysctls.keys.sorted()
            guard index < keys.count else { return setup("write sysctl") }
            return setup("write sysctl \(keys[index])=\(spec.sysctls[keys[index]] ?? "")")
        case CELL_STAGE_CONSOLE: return setup(ProcessSpawner.consoleStep(failure.index))
        default: return setup("start container process (stage \(failure.stage))")
        }
    }
}
