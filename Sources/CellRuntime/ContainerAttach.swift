#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// `cell attach` / `cell start -a` on a detached container: connects to the monitor's
/// `attach.sock`, copies the container's output to our stdout/stderr, our stdin to the
/// container (when `stdin` and the container was created with -i), until the container
/// exits or, on a tty, Ctrl-P Ctrl-Q is typed. Output from before the attach is in the log
/// only, as with docker.
public enum ContainerAttach {
    public enum Outcome: Equatable, Sendable {
        /// The container's exit status.
        case exited(Int32)
        /// The detach keys were typed; the container runs on.
        case detached
    }

    /// Signals sent to a `cell attach` with --sig-proxy (the default) that go on to the
    /// container, as Docker's CLI passes them on (not with a tty, where Ctrl-C is a byte).
    static let proxiedSignals = [SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2]

    public static func attach(containerDirectory: String, stdin: Bool,
                              streams: ProcessSpawner.StandardStreams = .standard,
                              detachKeys: DetachKeys = DetachKeys(), proxiesSignals: Bool = true) throws -> Outcome {
        guard let state = try ContainerState.read(fromContainerDirectory: containerDirectory), state.status == .running else {
            throw CellError.conflict("You cannot attach to a stopped container, start it first")
        }
        let tty = (try? ContainerSpec.read(fromContainerDirectory: containerDirectory))?.process.terminal ?? false
        let socket = try connect(AttachFrame.socketPath(containerDirectory: containerDirectory))
        defer { close(socket) }

        let peer = DescriptorPeer(streams)
        let raw = tty && stdin && streams.input >= 0 ? RawTerminalMode(fd: streams.input) : nil
        defer { raw?.restore() }
        let signals = ExecSignals(forwardingTo: state.pid, watchWindowSize: tty,
                                  forwarded: proxiesSignals && !tty ? proxiedSignals : [])
        defer { signals.restore() }
        // A pipe's end reaches the container (whether it was created with --attach stdin or not:
        // cell's monitor has no StdinOnce of its own); a tty stays open.
        let relay = AttachRelay(socket: socket, containerDirectory: containerDirectory, peer: peer,
                                readsInput: stdin && streams.input >= 0, tty: tty, detachKeys: detachKeys, closesStdinAtEnd: !tty)
        relay.windowChanges = (signals.windowChanges, {
            signals.drainWindowChanges()
            return PseudoTerminal.windowSize(of: peer.windowSource)
        })
        if tty, let size = PseudoTerminal.windowSize(of: peer.windowSource) { relay.resize(rows: size.rows, columns: size.columns) }
        // Our own stdio never goes away.
        return try relay.run() ?? .detached
    }

    /// An attach for a peer of any kind (the API service's hijacked connections): the container
    /// must be running, or, when `waitingForStart`, may be started later (`docker run` and
    /// `start -a` attach first and start next), in which case the monitor connects to us before
    /// the container's first instruction (`AttachWaitingRoom`), and none of its output is missed.
    /// `closesStdin`: the end of the peer's input closes the container's stdin (Docker's
    /// StdinOnce). nil when the peer went away first; the container runs on.
    public static func attach(containerDirectory: String, peer: any SessionPeer, stdin: Bool, tty: Bool,
                              detachKeys: DetachKeys?, closesStdin: Bool, waitingForStart: Bool) throws -> Outcome? {
        let socket: Int32
        if waitingForStart {
            let room = try AttachWaitingRoom(containerDirectory: containerDirectory)
            guard let connection = try room.waitForMonitor(peer: peer) else { return nil }
            socket = connection
        } else {
            socket = try connect(AttachFrame.socketPath(containerDirectory: containerDirectory))
        }
        defer { close(socket) }
        let relay = AttachRelay(socket: socket, containerDirectory: containerDirectory, peer: peer, readsInput: stdin,
                                tty: tty, detachKeys: detachKeys ?? DetachKeys(), closesStdinAtEnd: closesStdin)
        return try relay.run()
    }

    /// Gives a running container's terminal a new size, as an attach client's resize frame does
    /// (`POST /containers/{id}/resize`), through a connection of its own to the monitor.
    public static func resize(containerDirectory: String, rows: UInt16, columns: UInt16) throws {
        let socket = try connect(AttachFrame.socketPath(containerDirectory: containerDirectory))
        defer { close(socket) }
        guard send(socket, AttachFrame.resize(rows: rows, columns: columns)) else {
            throw CellError.system("resize: the container's monitor went away")
        }
    }

    static func connect(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw CellError.system("socket: \(Syscall.errorString(errno))") }
        let connected: Int32
        do {
            connected = try AttachFrame.withAddress(path) { Glibc.connect(fd, $0, $1) }
        } catch {
            close(fd)
            throw error
        }
        if connected != 0 {
            let code = errno
            close(fd)
            if code == ENOENT || code == ECONNREFUSED {
                throw CellError.conflict("You cannot attach to a stopped container, start it first")
            }
            throw CellError.system("connect \(path): \(Syscall.errorString(code))")
        }
        return fd
    }

    static func send(_ socket: Int32, _ frame: [UInt8]) -> Bool {
        frame.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(socket, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
    }
}
