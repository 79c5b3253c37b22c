#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// One attach client's bytes, between the container's monitor (a connection to its attach socket,
/// speaking `AttachFrame`s) and the session's peer: the container's output to the peer, the
/// peer's input to the container (`readsInput`), until the container exits (the monitor's exit
/// frame), the detach keys are typed on a tty, or the peer goes away.
final class AttachRelay {
    private let socket: Int32
    private let containerDirectory: String
    private let peer: any SessionPeer
    private var readsInput: Bool
    private let tty: Bool
    private var keys: DetachKeys
    private let closesStdinAtEnd: Bool
    /// Our own terminal's size changes (the CLI): a descriptor readable on a change, and what
    /// the size is then.
    var windowChanges: (descriptor: Int32, size: () -> (rows: UInt16, columns: UInt16)?)?

    init(socket: Int32, containerDirectory: String, peer: any SessionPeer, readsInput: Bool, tty: Bool,
         detachKeys: DetachKeys, closesStdinAtEnd: Bool) {
        self.socket = socket
        self.containerDirectory = containerDirectory
        self.peer = peer
        self.readsInput = readsInput && peer.inputDescriptor >= 0
        self.tty = tty
        keys = detachKeys
        self.closesStdinAtEnd = closesStdinAtEnd
    }

    func resize(rows: UInt16, columns: UInt16) {
        _ = ContainerAttach.send(socket, AttachFrame.resize(rows: rows, columns: columns))
    }

    /// How it ended; nil when the peer went away.
    func run() throws -> ContainerAttach.Outcome? {
        var incoming: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var fds = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: readsInput ? peer.inputDescriptor : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: windowChanges?.descriptor ?? -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: peer.departureDescriptor, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                throw CellError.system("poll: \(Syscall.errorString(errno))")
            }
            if fds[3].revents != 0 && peer.isGone { return nil }
            if fds[2].revents != 0, let size = windowChanges?.size() {
                resize(rows: size.rows, columns: size.columns)
            }
            if fds[1].revents != 0 {
                switch peer.receive() {
                case .bytes(let bytes):
                    let (forward, detach) = tty ? keys.scan(bytes[...]) : (bytes, false)
                    if !forward.isEmpty { _ = ContainerAttach.send(socket, AttachFrame.encode(.stdin, forward[...])) }
                    if detach { return .detached }
                case .again:
                    break
                case .ended:
                    if closesStdinAtEnd { _ = ContainerAttach.send(socket, AttachFrame.encode(.closeStdin)) }
                    readsInput = false
                case .gone:
                    return nil
                }
            }
            if fds[0].revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if n <= 0 { break }
                incoming += chunk[0..<n]
                for frame in AttachFrame.decode(&incoming) {
                    switch frame.kind {
                    case .stdout: if !peer.send(frame.payload[...], from: .stdout) { return nil }
                    case .stderr: if !peer.send(frame.payload[...], from: .stderr) { return nil }
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
}
