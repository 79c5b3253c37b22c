#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// Attach clients waiting for a container to start: Docker's clients attach first and start next
/// (`docker run`, `docker start -a`, docker-py), and must see the container's output from its
/// first byte. Each waiting client listens on a socket of its own in
/// `<container-dir>/attach-waiting/`; a starting monitor connects to every one of them
/// (`AttachServer.adoptWaitingClients`) before it spawns the container, and serves them as it
/// serves the clients of `attach.sock`. A socket whose listener died refuses the connection and
/// is removed by the monitor: no start waits on a client that is gone.
public final class AttachWaitingRoom {
    public static func directory(containerDirectory: String) -> String { "\(containerDirectory)/attach-waiting" }

    private let containerDirectory: String
    private let path: String
    private var listener: Int32 = -1

    /// Opens this client's place in the room.
    init(containerDirectory: String) throws {
        self.containerDirectory = containerDirectory
        let directory = Self.directory(containerDirectory: containerDirectory)
        // 0700: only root reaches the sockets, as attach.sock.
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw CellError.system("mkdir \(directory): \(Syscall.errorString(errno))")
        }
        path = "\(directory)/\(Self.randomName()).sock"
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw CellError.system("socket: \(Syscall.errorString(errno))") }
        let saved = umask(0o177)
        defer { umask(saved) }
        let bound = try AttachFrame.withAddress(path) { bind(listener, $0, $1) }
        if bound != 0 || listen(listener, 1) != 0 {
            let code = errno
            close(listener)
            listener = -1
            throw CellError.system("attach socket \(path): \(Syscall.errorString(code))")
        }
    }

    deinit {
        if listener >= 0 { close(listener) }
        unlink(path)
    }

    /// The connection from the container's monitor, once the container starts (or at once when
    /// it runs already); nil when the peer went away meanwhile. Throws notFound when the container
    /// is removed while we wait.
    func waitForMonitor(peer: any SessionPeer) throws -> Int32? {
        while true {
            // A monitor that started before our socket existed never saw it: once the state says
            // running, a connection not made by then will not come, and attach.sock is the way in.
            let running = (try? ContainerState.read(fromContainerDirectory: containerDirectory))?.status == .running
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: peer.departureDescriptor, events: Int16(POLLIN), revents: 0)]
            // The state is checked again every 100 ms: starts are rare, a waiting client is cheap.
            _ = poll(&fds, 2, running ? 0 : 100)
            if fds[1].revents != 0 && peer.isGone { return nil }
            if fds[0].revents != 0 {
                let connection = cell_accept(listener)
                if connection >= 0 {
                    // The relay reads it with blocking calls after poll.
                    _ = fcntl(connection, F_SETFL, fcntl(connection, F_GETFL) & ~O_NONBLOCK)
                    return connection
                }
            }
            if running { return try ContainerAttach.connect(AttachFrame.socketPath(containerDirectory: containerDirectory)) }
            if !FileSystem.exists("\(containerDirectory)/config.json") {
                throw CellError.notFound("No such container: \(FileSystem.basename(of: containerDirectory))")
            }
        }
    }

    private static func randomName() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<32).map { _ in digits[Int(generator.next() % 16)] })
    }
}
