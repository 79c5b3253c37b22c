#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// The master of a `-t` process's pty. The pty is made inside the container, in its own devpts
/// (so the process's tty is a /dev/pts/N that exists there), by the child, which sends the
/// master back over a `ConsoleSocket`; the process has the slave as stdin, stdout, stderr and
/// controlling terminal.
public final class PseudoTerminal: @unchecked Sendable {
    /// -1 once hung up.
    public private(set) var master: Int32
    /// The API service resizes a terminal from another request's thread than the one relaying
    /// it: the descriptor must not be closed (and its number reused) under a resize.
    private var mutex = pthread_mutex_t()

    init(master: Int32) {
        self.master = master
        pthread_mutex_init(&mutex, nil)
    }

    deinit {
        hangUp()
    }

    /// Closes the master before its time (the peer of an exec went away): the process's
    /// session gets SIGHUP, as when a terminal is closed. Idempotent; the relays stop using it.
    func hangUp() {
        pthread_mutex_lock(&mutex)
        if master >= 0 { close(master) }
        master = -1
        pthread_mutex_unlock(&mutex)
    }

    /// Gives the container the size of `terminal` (our own stdin when attached to one).
    public func copyWindowSize(from terminal: Int32) {
        _ = cell_copy_window_size(terminal, master)
    }

    /// Sets the size an attach client reported.
    public func setWindowSize(rows: UInt16, columns: UInt16) {
        pthread_mutex_lock(&mutex)
        if master >= 0 { _ = cell_set_window_size(master, rows, columns) }
        pthread_mutex_unlock(&mutex)
    }

    /// The size of `terminal`, nil when it is not one.
    public static func windowSize(of terminal: Int32) -> (rows: UInt16, columns: UInt16)? {
        var rows: UInt16 = 0
        var columns: UInt16 = 0
        return cell_window_size(terminal, &rows, &columns) == 0 ? (rows, columns) : nil
    }
}

/// The socket pair a container's pty master comes back on (runc's console socket): the child's
/// end goes into the spawn or exec config, which makes the child open the pty in the container
/// and send the master; ours receives it.
final class ConsoleSocket {
    private(set) var ours: Int32
    private(set) var childEnd: Int32

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw CellError(.setup, "console socket: \(Syscall.errorString(errno))")
        }
        ours = fds[0]
        childEnd = fds[1]
    }

    deinit {
        closeChildEnd()
        if ours >= 0 { close(ours) }
    }

    /// Once the child has its copy: then a child that fails before sending closes the last
    /// copy, and `receive` ends instead of waiting for ever.
    func closeChildEnd() {
        if childEnd >= 0 { close(childEnd) }
        childEnd = -1
    }

    /// The master the child sent.
    func receive() throws -> PseudoTerminal {
        let fd = cell_receive_fd(ours)
        if fd < 0 { throw CellError(.setup, "receive the container's terminal: \(Syscall.errorString(-fd))") }
        return PseudoTerminal(master: fd)
    }

    /// The config's part: the pty is made and its master sent to our socket; `owner` (the
    /// process's uid as the host sees it) gets the slave, `windowSize` is its first size.
    func console(owner: UInt32?, windowSize: (rows: UInt16, columns: UInt16)?) -> cell_console {
        cell_console(socket: childEnd, owner: owner ?? .max, rows: windowSize?.rows ?? 0, columns: windowSize?.columns ?? 0)
    }
}

extension cell_console {
    /// No pty made by the child.
    static var none: cell_console { cell_console(socket: -1, owner: .max, rows: 0, columns: 0) }
}

/// Raw mode on our own terminal while attached to a `-t` container, restored afterwards.
public final class RawTerminalMode {
    private let fd: Int32
    private var saved = termios()
    private var active = false

    public init(fd: Int32) {
        self.fd = fd
        active = isatty(fd) == 1 && cell_make_raw(fd, &saved) == 0
    }

    public func restore() {
        if active { _ = cell_restore_terminal(fd, &saved) }
        active = false
    }

    deinit { restore() }
}
