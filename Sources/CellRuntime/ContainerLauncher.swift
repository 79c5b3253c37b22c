#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// Starts a container's monitor from the CLI and learns how the start went.
///
/// The CLI is multi-threaded, so the monitor is started with posix_spawn (never fork). It runs
/// `<monitor> --sync-fd 3 [--attach] [--interactive] <container-dir>` and writes one
/// `MonitorSyncMessage` line to fd 3 once the container has exec'd or failed to.
public enum ContainerLauncher {
    public struct Started: Equatable, Sendable {
        /// The container's init process, as the host sees it.
        public var pid: Int32
        public var monitorPid: Int32
        /// Attached: our end of the start pipe, kept open while we are attached (the monitor
        /// watches it to learn that we went away, and says on it that the keys detached us).
        public var link: Int32 = -1
        /// With captured output: the read end of the pipe the monitor writes the container's
        /// stdout and stderr to (`waitForExit(_:relayingOutput:)` reads and closes it); else -1.
        public var output: Int32 = -1
        /// What came on the start pipe after the start's line, in the same read: a container
        /// that exits at once has its `exited N` there already.
        var pendingNotice: [UInt8] = []
    }

    /// The monitor's fd for the start result.
    static let syncDescriptor: Int32 = 3
    /// A monitor started ahead reads its container's directory here.
    static let directoryDescriptor: Int32 = 4
    /// glibc's POSIX_SPAWN_SETSID (a GNU extension the Swift importer does not see).
    static let spawnSetSession: Int32 = 0x80

    /// Starts the monitor for `containerDirectory` (which holds `spec`) and returns once the
    /// container runs, or throws the start error (kinds .setup, .commandNotFound,
    /// .commandNotExecutable: exit 125/126/127).
    ///
    /// Detached (`attach == false`): the monitor gets its own session, /dev/null as stdio,
    /// and outlives the caller. Attached: it shares our stdio and process group, as
    /// `attachment` says; call `waitForEnd(_:)` (or `waitForExit(_:)`) next. `interactive`
    /// (-i): attached, our stdin goes to the container; detached, its stdin stays open for
    /// `cell attach` clients. `captureOutput` (attached): the container's stdout and stderr,
    /// as they come, go to a pipe the caller reads (`Started.output`) instead of ours, and its
    /// stdin is /dev/null: a display that draws the output itself (a build's terminal progress).
    /// `pending`: a monitor started ahead, to hand the container to; `specRewritten`, whether
    /// the spec on disk is still the one it was shown (`PendingMonitor.preview`).
    public static func start(containerDirectory: String, monitorPath: String, attach: Bool = false,
                             attachment: Attachment = Attachment(), interactive: Bool = false,
                             captureOutput: Bool = false, timeout: Double = 60,
                             pending: PendingMonitor? = nil, specRewritten: Bool = true) throws -> Started {
        let monitorPid: Int32
        let sync: PipePair
        let captured: PipePair?
        let request = PendingMonitor.Request(attach: attach, attachment: attachment, interactive: interactive, captureOutput: captureOutput)
        if let pending, let handed = pending.hand(containerDirectory, for: request, specRewritten: specRewritten) {
            (monitorPid, sync, captured) = handed
            PhaseTrace.mark("monitor started ahead given the container")
        } else {
            (monitorPid, sync, captured) = try spawnMonitor(monitorPath, request, containerDirectory: containerDirectory)
            PhaseTrace.mark("monitor spawned")
        }
        let (line, rest) = try readSyncLine(sync.readEnd, timeout: timeout)
        switch line.flatMap(MonitorSyncMessage.init(line:)) {
        case .started(let pid):
            PhaseTrace.mark("monitor reports the container started")
            // A detached monitor outlives the CLI; a process that stays on reaps it (`MonitorReaper`).
            if !attach { MonitorReaper.shared?.adopt(monitorPid, container: containerDirectory) }
            return Started(pid: pid, monitorPid: monitorPid, link: attach ? sync.takeReadEnd() : -1,
                           output: captured?.takeReadEnd() ?? -1, pendingNotice: rest)
        case .failed(let error):
            _ = reap(monitorPid)
            throw error
        case .detached, .exited, nil:
            let status = reap(monitorPid)
            throw CellError(.setup, "container monitor exited without reporting a start (status \(status))")
        }
    }

    /// A monitor started before its container exists, waiting for its directory (`run`: the
    /// monitor's own start overlaps the store's work on the container); `start` hands it over.
    public static func startAhead(monitorPath: String, attach: Bool = false, attachment: Attachment = Attachment(),
                                  interactive: Bool = false, captureOutput: Bool = false) throws -> PendingMonitor {
        let request = PendingMonitor.Request(attach: attach, attachment: attachment, interactive: interactive, captureOutput: captureOutput)
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw CellError(.setup, "socketpair: \(Syscall.errorString(errno))")
        }
        defer { close(ends[1]) }
        let spawned: (Int32, PipePair, PipePair?)
        do {
            spawned = try spawnMonitor(monitorPath, request, directorySocket: ends[1])
        } catch {
            close(ends[0])
            throw error
        }
        PhaseTrace.mark("monitor spawned ahead")
        return PendingMonitor(pid: spawned.0, sync: spawned.1, captured: spawned.2, socket: ends[0], request: request)
    }

    /// Spawns the monitor for `request`, given the container's directory or the socket to read
    /// it from; our write ends of its pipes are closed (the monitor holds the only ones).
    private static func spawnMonitor(_ monitorPath: String, _ request: PendingMonitor.Request, containerDirectory: String? = nil,
                                     directorySocket: Int32 = -1) throws -> (Int32, PipePair, PipePair?) {
        let captured = request.attach && request.captureOutput ? try PipePair() : nil
        let sync = try PipePair()
        var arguments = [monitorPath, "--sync-fd", String(syncDescriptor)]
        if request.attach { arguments += ["--attach"] + request.attachment.monitorArguments }
        // Detached, -i keeps the container's stdin a pipe that `cell attach` clients feed.
        if request.interactive { arguments.append("--interactive") }
        if let containerDirectory {
            arguments.append(containerDirectory)
        } else {
            arguments += ["--directory-fd", String(directoryDescriptor)]
        }
        let monitorPid = try spawn(arguments: arguments, syncWriteEnd: sync.writeEnd, detach: !request.attach,
                                   output: captured?.writeEnd, directorySocket: directorySocket)
        sync.closeWriteEnd()
        // Only the monitor holds the write end now: the reader sees the end of the output when it exits.
        captured?.closeWriteEnd()
        return (monitorPid, sync, captured)
    }

    private static func spawn(arguments: [String], syncWriteEnd: Int32, detach: Bool, output: Int32?, directorySocket: Int32) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        // The output pipe first: should it be fd 3, the sync pipe's dup2 below replaces it only after.
        if let output {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, output, 1)
            posix_spawn_file_actions_adddup2(&actions, output, 2)
        }
        // dup2 onto the same number would keep close-on-exec set: move it off 3 first.
        var source = syncWriteEnd
        var moved: Int32 = -1
        if source == syncDescriptor {
            moved = fcntl(source, F_DUPFD_CLOEXEC, 10)
            if moved < 0 { throw CellError(.setup, "dup: \(Syscall.errorString(errno))") }
            source = moved
        }
        defer { if moved >= 0 { close(moved) } }
        posix_spawn_file_actions_adddup2(&actions, source, syncDescriptor)
        // The socket a monitor started ahead reads its container's directory from, as fd 4.
        var directorySource = directorySocket
        var movedDirectory: Int32 = -1
        if directorySocket >= 0 && directorySocket <= directoryDescriptor {
            movedDirectory = fcntl(directorySocket, F_DUPFD_CLOEXEC, 10)
            if movedDirectory < 0 { throw CellError(.setup, "dup: \(Syscall.errorString(errno))") }
            directorySource = movedDirectory
        }
        defer { if movedDirectory >= 0 { close(movedDirectory) } }
        if directorySocket >= 0 { posix_spawn_file_actions_adddup2(&actions, directorySource, directoryDescriptor) }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if detach {
            flags |= spawnSetSession
            // CELL_TRACE: our stderr, until the monitor has reported the start (it lets go of it then).
            for fd in Int32(0)...2 where fd < 2 || !PhaseTrace.isEnabled {
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
            }
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        // The monitor reads these through a signalfd once it is set up; blocked from its first
        // instruction, a Ctrl-C that comes sooner waits for it instead of killing it.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD] { sigaddset(&blocked, signal) }
        posix_spawnattr_setsigmask(&attributes, &blocked)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2, SIGWINCH] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        // Exec'd from a sealed copy of itself, the monitor's children (the container's process)
        // can exec the command directly (`SealedExecutable`); above the fds dup'd to 3 and 4.
        // Where that cannot be (a kernel without open_tree, no /proc): the plain path, and the
        // helper in the monitor.
        var sealed: Int32 = -1
        if let opened = try? SealedExecutable.open(arguments[0]) {
            sealed = fcntl(opened, F_DUPFD_CLOEXEC, 10)
            close(opened)
        }
        defer { if sealed >= 0 { close(sealed) } }
        let environment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] + PhaseTrace.environment
        func spawn(_ path: String, _ arguments: [String]) throws -> (pid_t, Int32) {
            let arena = CStringArena()
            let argv = try arena.stringArray(arguments)
            let envp = try arena.stringArray(environment)
            var pid: pid_t = 0
            let result = posix_spawn(&pid, path, &actions, &attributes,
                                     UnsafeMutablePointer(mutating: UnsafeRawPointer(argv).assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self)),
                                     UnsafeMutablePointer(mutating: UnsafeRawPointer(envp).assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self)))
            return (pid, result)
        }
        var (pid, result) = sealed >= 0 ? try spawn("/proc/self/fd/\(sealed)", [arguments[0], "--sealed"] + arguments.dropFirst()) : (0, ENOENT)
        if result != 0 { (pid, result) = try spawn(arguments[0], arguments) }
        if result != 0 { throw CellError(.setup, "start \(arguments[0]): \(Syscall.errorString(result))") }
        return pid
    }

    /// Reads the monitor's first line (an attached monitor keeps the pipe open after it), or
    /// until EOF when the monitor dies first; and what followed it in the same read.
    private static func readSyncLine(_ fd: Int32, timeout: Double) throws -> (line: String?, rest: [UInt8]) {
        let deadline = Deadline(after: timeout)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(deadline.remaining * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { throw CellError(.setup, "timed out waiting for the container monitor") }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += chunk[0..<n]
            if bytes.contains(UInt8(ascii: "\n")) { break }
        }
        guard !bytes.isEmpty else { return (nil, []) }
        let end = bytes.firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? bytes.count
        return (String(decoding: bytes[..<end], as: UTF8.self), Array(bytes[end...]))
    }

    /// waitpid for a monitor we started; its exit status, 128+signal when killed.
    @discardableResult
    static func reap(_ pid: Int32) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 125 }
        }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// For an attached start: the container's exit status (0 if the client was detached),
    /// with signals proxied from here on.
    public static func waitForExit(_ started: Started) -> Int32 {
        let signals = AttachedClientSignals(proxying: true)
        defer { signals.restore() }
        signals.forward(to: started.monitorPid)
        switch waitForEnd(started) {
        case .exited(let status): return status
        case .detached: return 0
        }
    }

    /// For a start with captured output: hands each piece of it to `receive` as it comes, until
    /// the monitor (the pipe's only writer) is gone; then the container's exit status, as
    /// `waitForExit(_:)` gives it, with signals proxied the same way meanwhile.
    public static func waitForExit(_ started: Started, relayingOutput receive: ([UInt8]) -> Void) -> Int32 {
        let signals = AttachedClientSignals(proxying: true)
        defer { signals.restore() }
        signals.forward(to: started.monitorPid)
        if started.output >= 0 {
            defer { close(started.output) }
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(started.output, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                receive(Array(chunk[0..<count]))
            }
        }
        switch waitForEnd(started) {
        case .exited(let status): return status
        case .detached: return 0
        }
    }

    /// For an attached start: waits until the container exits (the monitor exits with its
    /// status) or the detach keys are typed (the monitor says so and runs on). The caller
    /// has set up `AttachedClientSignals` before the start.
    public static func waitForEnd(_ started: Started) -> ContainerAttach.Outcome {
        if started.link >= 0 {
            defer { close(started.link) }
            let notice = readNotice(started.link, pending: started.pendingNotice)
            PhaseTrace.mark("monitor reported the exit (or closed the start pipe)")
            switch notice {
            case .detached: return .detached
            // Restarting by its policy, or removing a --rm container: the monitor goes on, a child
            // we leave unreaped.
            case .exited(let status): return .exited(status)
            default: break
            }
        }
        let status = reap(started.monitorPid)
        PhaseTrace.mark("monitor reaped")
        return .exited(status)
    }

    /// Blocks until the monitor writes on the start pipe (we were detached, or the container
    /// exited and restarts without us) or closes it (nil: it is exiting).
    private static func readNotice(_ fd: Int32, pending: [UInt8] = []) -> MonitorSyncMessage? {
        var bytes = pending
        var chunk = [UInt8](repeating: 0, count: 256)
        while !bytes.contains(UInt8(ascii: "\n")) {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            bytes += chunk[0..<n]
        }
        let line = bytes.prefix { $0 != UInt8(ascii: "\n") }
        return MonitorSyncMessage(line: String(decoding: line, as: UTF8.self))
    }
}

