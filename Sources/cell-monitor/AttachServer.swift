#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import CellRuntime
import CellNetwork

/// `cell attach`: the monitor listens on `<container-dir>/attach.sock` (mode 0600) and, to
/// every connected client, sends the container's output as it is read (besides the log), then
/// the exit status. Clients' stdin goes to the container's stdin when it was created with -i.
/// Everything is non-blocking: a client that does not read is dropped once 1 MiB is queued
/// for it, and the container not reading its stdin only stops us reading the clients.
final class AttachServer {
    private struct Client {
        var fd: Int32
        var incoming: [UInt8] = []
        var outgoing: [UInt8] = []
        var closed = false
    }

    static let maximumQueued = 1 << 20
    private let path: String
    private var listener: Int32 = -1
    private var clients: [Client] = []
    /// The container's stdin (pipe write end or pty master), owned; -1 when not interactive.
    private var containerInput: Int32
    private var stdinIsTerminal = false
    private var pendingInput: [UInt8] = []
    private var terminal: PseudoTerminal?
    private var polledClients = 0

    init(containerDirectory: String, containerInput: Int32) throws {
        path = AttachFrame.socketPath(containerDirectory: containerDirectory)
        self.containerInput = containerInput
        if containerInput >= 0 { _ = fcntl(containerInput, F_SETFL, fcntl(containerInput, F_GETFL) | O_NONBLOCK) }
        unlink(path)
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard listener >= 0 else { throw CellError(.setup, "attach socket: \(Syscall.errorString(errno))") }
        // Created 0600 from the start: no window in which another user could connect.
        let saved = umask(0o177)
        defer { umask(saved) }
        let bound = try AttachFrame.withAddress(path) { bind(listener, $0, $1) }
        if bound != 0 || listen(listener, 16) != 0 {
            let code = errno
            close(listener)
            listener = -1
            throw CellError(.setup, "attach socket \(path): \(Syscall.errorString(code))")
        }
    }

    deinit {
        for client in clients { close(client.fd) }
        if listener >= 0 { close(listener); unlink(path) }
        if containerInput >= 0 && containerInput != terminal?.master { close(containerInput) }
    }

    /// A `-t` container's pty, once its process has sent the master (before any client is
    /// served): clients' resizes go to it, and with `input` (-i) their stdin too.
    func use(_ terminal: PseudoTerminal, input: Bool) {
        self.terminal = terminal
        stdinIsTerminal = true
        if input {
            containerInput = fcntl(terminal.master, F_DUPFD_CLOEXEC, 3)
            if containerInput >= 0 { _ = fcntl(containerInput, F_SETFL, fcntl(containerInput, F_GETFL) | O_NONBLOCK) }
        }
    }

    /// Connects to every client waiting for the container's start (`AttachWaitingRoom`), before
    /// the container is spawned: they get its output from the first byte. A socket nobody listens
    /// on any more is a client that went away: removed.
    func adoptWaitingClients(containerDirectory: String) {
        let directory = AttachWaitingRoom.directory(containerDirectory: containerDirectory)
        guard let names = try? FileSystem.contentsOfDirectory(directory) else { return }
        for name in names where name.hasSuffix(".sock") {
            let path = "\(directory)/\(name)"
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { return }
            let connected = (try? AttachFrame.withAddress(path) { connect(fd, $0, $1) }) ?? -1
            if connected == 0 {
                clients.append(Client(fd: fd))
            } else {
                if errno == ECONNREFUSED { unlink(path) }
                close(fd)
            }
        }
    }

    /// The fds to poll, in the order `handle` expects them back.
    func descriptors() -> [pollfd] {
        polledClients = clients.count
        var result = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
        for client in clients {
            var events = Int16(0)
            if pendingInput.isEmpty { events |= Int16(POLLIN) }
            if !client.outgoing.isEmpty { events |= Int16(POLLOUT) }
            result.append(pollfd(fd: client.fd, events: events, revents: 0))
        }
        result.append(pollfd(fd: pendingInput.isEmpty ? -1 : containerInput, events: Int16(POLLOUT), revents: 0))
        return result
    }

    func handle(_ ready: ArraySlice<pollfd>) {
        var index = ready.startIndex
        let accepting = ready[index].revents != 0
        index += 1
        for i in 0..<polledClients {
            let revents = ready[index].revents
            index += 1
            if revents & Int16(POLLOUT) != 0 { flush(&clients[i]) }
            if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { receive(&clients[i]) }
        }
        if ready[index].revents != 0 { writeInput() }
        clients.removeAll { client in
            if client.closed { close(client.fd) }
            return client.closed
        }
        if accepting { accept() }
        polledClients = clients.count
    }

    /// Sends output to every client.
    func broadcast(_ bytes: ArraySlice<UInt8>, stream: ContainerLogWriter.Stream) {
        guard !clients.isEmpty else { return }
        let frame = AttachFrame.encode(stream == .stdout ? .stdout : .stderr, bytes)
        for i in clients.indices where !clients[i].closed {
            clients[i].outgoing += frame
            flush(&clients[i])
            if clients[i].outgoing.count > AttachServer.maximumQueued { clients[i].closed = true }
        }
    }

    /// The container has exited: every client gets the status (within a second), then the
    /// socket goes.
    func finish(exitCode: Int32) {
        close(listener)
        unlink(path)
        listener = -1
        let deadline = Deadline(after: 1)
        for i in clients.indices where !clients[i].closed { clients[i].outgoing += AttachFrame.exit(exitCode) }
        while clients.contains(where: { !$0.closed && !$0.outgoing.isEmpty }) && !deadline.hasPassed {
            var fds = clients.map { pollfd(fd: $0.closed || $0.outgoing.isEmpty ? -1 : $0.fd, events: Int16(POLLOUT), revents: 0) }
            _ = poll(&fds, nfds_t(fds.count), Int32(deadline.remaining * 1000) + 1)
            for i in clients.indices where fds[i].revents != 0 { flush(&clients[i]) }
        }
        for client in clients { close(client.fd) }
        clients = []
        polledClients = 0
    }

    private func accept() {
        while true {
            let fd = SocketCalls.accept(listener)
            if fd < 0 { return }
            clients.append(Client(fd: fd))
        }
    }

    private func flush(_ client: inout Client) {
        while !client.outgoing.isEmpty && !client.closed {
            let n = client.outgoing.withUnsafeBytes { send(client.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN { return }
            if n <= 0 { client.closed = true; return }
            client.outgoing.removeFirst(n)
        }
    }

    private func receive(_ client: inout Client) {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let n = chunk.withUnsafeMutableBytes { read(client.fd, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return }
        if n <= 0 { client.closed = true; return }
        client.incoming += chunk[0..<n]
        for frame in AttachFrame.decode(&client.incoming) {
            switch frame.kind {
            case .stdin where containerInput >= 0:
                pendingInput += frame.payload
            case .closeStdin where containerInput >= 0 && !stdinIsTerminal:
                // Applied once what came before it has been written.
                closeAfterPending = true
            case .resize where frame.payload.count == 4:
                let rows = UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1])
                let columns = UInt16(frame.payload[2]) << 8 | UInt16(frame.payload[3])
                terminal?.setWindowSize(rows: rows, columns: columns)
            default:
                break
            }
        }
        writeInput()
    }

    private var closeAfterPending = false

    private func writeInput() {
        while !pendingInput.isEmpty && containerInput >= 0 {
            let n = pendingInput.withUnsafeBytes { write(containerInput, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN { return }
            if n <= 0 { pendingInput = []; closeInput(); return }
            pendingInput.removeFirst(n)
        }
        if closeAfterPending && pendingInput.isEmpty { closeInput() }
    }

    private func closeInput() {
        if containerInput >= 0 && containerInput != terminal?.master { close(containerInput) }
        containerInput = -1
        pendingInput = []
    }
}
