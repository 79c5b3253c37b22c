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

        var input = stdin ? streams.input : -1
        let raw = tty && input >= 0 ? RawTerminalMode(fd: input) : nil
        defer { raw?.restore() }
        var keys = detachKeys
        let signals = ExecSignals(forwardingTo: state.pid, watchWindowSize: tty,
                                  forwarded: proxiesSignals && !tty ? proxiedSignals : [])
        defer { signals.restore() }
        func sendWindowSize() {
            let source = input >= 0 && isatty(input) == 1 ? input : streams.output
            if let size = PseudoTerminal.windowSize(of: source) {
                _ = send(socket, AttachFrame.resize(rows: size.rows, columns: size.columns))
            }
        }
        if tty { sendWindowSize() }

        var incoming: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var fds = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: signals.windowChanges, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, 3, -1) < 0 {
                if errno == EINTR { continue }
                throw CellError.system("poll: \(Syscall.errorString(errno))")
            }
            if fds[2].revents != 0 {
                signals.drainWindowChanges()
                sendWindowSize()
            }
            if fds[1].revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if n > 0 {
                    let (forward, detach) = tty ? keys.scan(chunk[0..<n]) : (Array(chunk[0..<n]), false)
                    if !forward.isEmpty { _ = send(socket, AttachFrame.encode(.stdin, forward[...])) }
                    if detach { return .detached }
                } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                    // Our stdin ended: a pipe's end reaches the container; a tty stays open.
                    if !tty { _ = send(socket, AttachFrame.encode(.closeStdin)) }
                    input = -1
                }
            }
            if fds[0].revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if n <= 0 { break }
                incoming += chunk[0..<n]
                for frame in AttachFrame.decode(&incoming) {
                    switch frame.kind {
                    case .stdout: Syscall.writeAll(streams.output, frame.payload[...])
                    case .stderr: Syscall.writeAll(streams.error, frame.payload[...])
                    case .exit: return .exited(AttachFrame.integer(frame.payload) ?? 0)
                    default: break
                    }
                }
            }
        }
        // The monitor went away without a status frame: the state file has the last word.
        let final = try ContainerSignaller.waitForExit(containerDirectory: containerDirectory, timeout: 10)
        return .exited(final?.exitCode ?? 125)
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

    private static func send(_ socket: Int32, _ frame: [UInt8]) -> Bool {
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
