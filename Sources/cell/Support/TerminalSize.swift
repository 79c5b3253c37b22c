#if canImport(Glibc)
import Glibc
#endif

/// The size of a terminal the command writes to, for output laid out to fit it.
enum TerminalSize {
    /// Rows and columns of `fd`; nil when it is no terminal (or one that reports no size).
    static func of(_ fd: Int32) -> (rows: UInt16, columns: UInt16)? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0, size.ws_col > 0 else { return nil }
        return (size.ws_row, size.ws_col)
    }
}
