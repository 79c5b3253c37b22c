#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// An executable opened on a detached, read-only mount of its own (`cell_open_sealed_executable`):
/// a process exec'd from it cannot write it back through /proc/PID/exe (CVE-2019-5736). The
/// monitor is started so (`ContainerLauncher`): the container's process, a copy of it, then
/// execs the command directly. A process that is a copy of anything else (cell's `exec`, a
/// monitor started otherwise) execs it through cell-init, opened so, as the exec helper.
public enum SealedExecutable {
    /// Set by a monitor that was started sealed (`--sealed`) and finds its own binary on a
    /// read-only mount: its copies exec the container's command without the helper.
    nonisolated(unsafe) public static var currentProcessIsSealed = false

    /// Whether this process's own binary is on a read-only mount.
    public static var currentBinaryIsReadOnly: Bool {
        var status = statvfs()
        return statvfs("/proc/self/exe", &status) == 0 && status.f_flag & UInt(ST_RDONLY) != 0
    }

    /// A close-on-exec O_PATH fd; the caller closes it once the process has exec'd.
    public static func open(_ path: String) throws -> Int32 {
        let fd = cell_open_sealed_executable(path)
        guard fd >= 0 else {
            throw CellError(.setup, "open \(path) read-only for exec: \(Syscall.errorString(-fd))")
        }
        return fd
    }
}
