#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// An executable opened on a detached, read-only mount of its own (`cell_open_sealed_executable`):
/// a process exec'd from it cannot write it back through /proc/PID/exe. cell-init is opened so
/// before each container process is started, as the exec helper (CVE-2019-5736).
public enum SealedExecutable {
    /// A close-on-exec O_PATH fd; the caller closes it once the process has exec'd.
    public static func open(_ path: String) throws -> Int32 {
        let fd = cell_open_sealed_executable(path)
        guard fd >= 0 else {
            throw CellError(.setup, "open \(path) read-only for exec: \(Syscall.errorString(-fd))")
        }
        return fd
    }
}
