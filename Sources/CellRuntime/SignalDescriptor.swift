#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// Signals delivered as readable events on an fd (signalfd), so a single poll() loop handles
/// them between reads, with no handler running at an arbitrary point. The signals stay blocked
/// for the process; the container spawn path resets the mask before exec.
public final class SignalDescriptor {
    public let fd: Int32

    public init(signals: [Int32]) throws {
        let result = signals.withUnsafeBufferPointer { cell_signalfd_open($0.baseAddress, $0.count) }
        if result < 0 { throw CellError.system("signalfd: \(Syscall.errorString(-result))") }
        fd = result
    }

    deinit { close(fd) }

    /// The next pending signal, or nil when none is pending.
    public func next() -> Int32? {
        let signal = cell_signalfd_next(fd)
        return signal > 0 ? signal : nil
    }
}
