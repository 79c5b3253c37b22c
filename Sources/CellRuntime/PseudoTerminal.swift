#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// A pty pair for a `-t` container: the monitor keeps the master, the container gets the
/// slave as stdin/stdout/stderr and controlling terminal.
public final class PseudoTerminal {
    public private(set) var master: Int32
    public private(set) var slave: Int32

    public init() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        let result = cell_open_pty(&master, &slave)
        if result < 0 { throw CellError(.setup, "open a pseudo-terminal: \(Syscall.errorString(-result))") }
        self.master = master
        self.slave = slave
    }

    deinit {
        closeSlave()
        if master >= 0 { close(master) }
    }

    /// The monitor's copy of the slave must go once the container has it, or the master
    /// never sees the end of the container's output.
    public func closeSlave() {
        if slave >= 0 { close(slave) }
        slave = -1
    }

    /// Gives the container the size of `terminal` (our own stdin when attached to one).
    public func copyWindowSize(from terminal: Int32) {
        _ = cell_copy_window_size(terminal, master)
    }

    /// Sets the size an attach client reported.
    public func setWindowSize(rows: UInt16, columns: UInt16) {
        _ = cell_set_window_size(master, rows, columns)
    }

    /// The size of `terminal`, nil when it is not one.
    public static func windowSize(of terminal: Int32) -> (rows: UInt16, columns: UInt16)? {
        var rows: UInt16 = 0
        var columns: UInt16 = 0
        return cell_window_size(terminal, &rows, &columns) == 0 ? (rows, columns) : nil
    }
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
