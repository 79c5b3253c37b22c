#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// Moves bytes between a session's peer (our own stdio for `cell exec`, a hijacked API
/// connection for the service) and an exec'd process, in the calling thread, with one poll()
/// loop, until the process has exited and its output has ended: its stdout and stderr to the
/// peer (a pty master as stdout), the peer's input to the process's. Input is written without
/// blocking, so a process that writes more than a pipe holds before reading its input (`cat`)
/// cannot deadlock with us.
final class ExecRelay {
    private let pid: Int32
    private var outputs: [(source: Int32, stream: SessionOutput)]
    private let peer: any SessionPeer
    /// Whether the peer's input is read (`-i`); -1 once it has ended.
    private var readsInput: Bool
    private var processInput: Int32
    private let terminal: PseudoTerminal?
    private var pending: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var peerGone = false

    /// `outputs` and `processInput` are owned (closed at the end) unless they are the
    /// terminal's master, which the terminal owns.
    init(pid: Int32, outputs: [(Int32, SessionOutput)], peer: any SessionPeer, interactive: Bool, processInput: Int32,
         terminal: PseudoTerminal?) {
        self.pid = pid
        self.outputs = outputs.map { (source: $0.0, stream: $0.1) }
        self.peer = peer
        readsInput = interactive && processInput >= 0 && peer.inputDescriptor >= 0
        self.processInput = processInput
        self.terminal = terminal
    }

    /// The process's exit status; nil when the peer went away first: then the process's input,
    /// output and terminal are closed (it sees the end of its input, a hangup on its terminal,
    /// EPIPE on its output, as over a dropped ssh session) and the caller reaps it, still our child.
    func run() -> Int32? {
        let pidfd = cell_pidfd_open(pid)
        defer { if pidfd >= 0 { close(pidfd) } }
        if processInput >= 0 { _ = fcntl(processInput, F_SETFL, fcntl(processInput, F_GETFL) | O_NONBLOCK) }
        // Our own terminal (cell exec): raw mode, its size, our signals passed on.
        let local = peer as? DescriptorPeer
        let raw = terminal != nil && readsInput ? local.map { RawTerminalMode(fd: $0.streams.input) } : nil
        defer { raw?.restore() }
        let signals = local.map { _ in ExecSignals(forwardingTo: pid, watchWindowSize: terminal != nil) }
        defer { signals?.restore() }

        var status: Int32? = nil
        while !peerGone {
            // After the exit, output still in flight is drained; a background process that
            // keeps the pipes open does not hold us longer than a quiet 100 ms.
            if status != nil && outputs.allSatisfy({ $0.source < 0 }) { break }
            var fds = outputs.map { pollfd(fd: $0.source, events: Int16(POLLIN), revents: 0) }
            let inputIndex = fds.count
            let input = pending.isEmpty && readsInput ? peer.inputDescriptor : -1
            fds.append(pollfd(fd: input, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: pending.isEmpty ? -1 : processInput, events: Int16(POLLOUT), revents: 0))
            fds.append(pollfd(fd: status == nil ? pidfd : -1, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: signals?.windowChanges ?? -1, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: peer.departureDescriptor, events: Int16(POLLIN), revents: 0))
            let ready = poll(&fds, nfds_t(fds.count), status == nil ? (pidfd >= 0 ? -1 : 50) : 100)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 && status != nil { break }
            let readable = Int16(POLLIN | POLLHUP | POLLERR)
            for index in outputs.indices where fds[index].revents & readable != 0 { relayOutput(index) }
            if fds[inputIndex].revents & readable != 0 { receive() }
            if fds[inputIndex + 4].revents & readable != 0 && peer.isGone { peerGone = true }
            if fds[inputIndex + 1].revents != 0 { writeInput() }
            if fds[inputIndex + 3].revents & readable != 0, let local {
                signals?.drainWindowChanges()
                terminal?.copyWindowSize(from: local.windowSource)
            }
            if status == nil && (pidfd < 0 || fds[inputIndex + 2].revents != 0) {
                var raw: Int32 = 0
                let reaped = waitpid(pid, &raw, pidfd >= 0 ? 0 : WNOHANG)
                if reaped == pid { status = ContainerExec.exitStatus(raw) } else if reaped < 0 && errno != EINTR { status = 125 }
            }
        }
        for output in outputs where output.source >= 0 && output.source != terminal?.master { close(output.source) }
        closeProcessInput()
        if peerGone && status == nil {
            terminal?.hangUp()
            return nil
        }
        return status ?? 125
    }

    private func relayOutput(_ index: Int) {
        let (source, stream) = outputs[index]
        let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return }
        // A pty master reads EIO, not EOF, once no slave is open any more.
        if n <= 0 {
            if source != terminal?.master { close(source) }
            outputs[index].source = -1
            return
        }
        if !peer.send(buffer[0..<n], from: stream) { peerGone = true }
    }

    private func receive() {
        switch peer.receive() {
        case .bytes(let bytes):
            // Input of a process that takes none is dropped (the peer still had to be read).
            guard readsInput else { return }
            pending = bytes
            writeInput()
        case .again:
            return
        case .ended:
            // The peer's input ended: the process sees EOF on a pipe; a pty stays open (as docker).
            guard readsInput else { return }
            readsInput = false
            if terminal == nil && pending.isEmpty { closeProcessInput() }
        case .gone:
            peerGone = true
        }
    }

    private func writeInput() {
        while !pending.isEmpty {
            let n = pending.withUnsafeBytes { write(processInput, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN { return }
            if n <= 0 {
                // The process closed its input: stop forwarding.
                pending = []
                readsInput = false
                closeProcessInput()
                return
            }
            pending.removeFirst(n)
        }
        if !readsInput && terminal == nil { closeProcessInput() }
    }

    private func closeProcessInput() {
        if processInput >= 0 && processInput != terminal?.master { close(processInput) }
        processInput = -1
    }

}

/// Signal handling while an exec runs or a client is attached: `forwarded` signals sent to
/// us (SIGTERM and SIGHUP for an exec) go on to the process; SIGWINCH (with a tty) becomes a
/// byte on a pipe the relay polls. Handlers only do async-signal-safe things with words set
/// before they are installed.
final class ExecSignals {
    private var saved: [(Int32, sigaction)] = []
    private var pipe: PipePair?

    var windowChanges: Int32 { pipe?.readEnd ?? -1 }

    init(forwardingTo pid: Int32, watchWindowSize: Bool, forwarded: [Int32] = [SIGTERM, SIGHUP]) {
        ExecSignalTargets.pid = pid
        if watchWindowSize, let pair = try? PipePair() {
            for fd in [pair.readEnd, pair.writeEnd] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
            pipe = pair
            ExecSignalTargets.windowPipe = pair.writeEnd
            install(SIGWINCH) { _ in
                var byte: UInt8 = 1
                _ = write(ExecSignalTargets.windowPipe, &byte, 1)
            }
        }
        for signal in forwarded {
            install(signal) { signal in
                if ExecSignalTargets.pid > 0 { kill(ExecSignalTargets.pid, signal) }
            }
        }
    }

    private func install(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        action.sa_flags = SA_RESTART
        var old = sigaction()
        sigaction(signal, &action, &old)
        saved.append((signal, old))
    }

    func drainWindowChanges() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(windowChanges, &bytes, bytes.count) > 0 {}
    }

    func restore() {
        for (signal, old) in saved {
            var action = old
            sigaction(signal, &action, nil)
        }
        saved = []
        ExecSignalTargets.pid = 0
        ExecSignalTargets.windowPipe = -1
    }
}

/// What the handlers above read: plain words, written only while no handler is installed.
enum ExecSignalTargets {
    nonisolated(unsafe) static var pid: pid_t = 0
    nonisolated(unsafe) static var windowPipe: Int32 = -1
}
