#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// What a new container process needs to join its cgroup by itself (CRuntime's cgroup_join.c):
/// the v2 directory it is cloned into, and the v1 `tasks` files its only thread writes "0" to.
/// Neither takes the kernel's global lock that a move through cgroup.procs takes, which on a
/// quiet host waits for an RCU grace period (milliseconds) before every start.
public final class CgroupJoinHandles {
    /// O_PATH, or -1 without a v2 directory.
    public let directory: Int32
    public let threadFiles: [Int32]

    public init(_ cgroup: Cgroup?) throws {
        var directory: Int32 = -1
        var threadFiles: [Int32] = []
        func closeAll() {
            if directory >= 0 { close(directory) }
            for fd in threadFiles { close(fd) }
        }
        if let path = cgroup?.unifiedDirectory {
            directory = open(path, OpenFlags.path | O_DIRECTORY | O_CLOEXEC)
            if directory < 0 { throw CellError(.setup, "open \(path): \(Syscall.errorString(errno))") }
        }
        for path in (cgroup?.legacyDirectories ?? []).map({ "\($0)/tasks" }) {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            if fd < 0 {
                let error = CellError(.setup, "open \(path): \(Syscall.errorString(errno))")
                closeAll()
                throw error
            }
            threadFiles.append(fd)
        }
        self.directory = directory
        self.threadFiles = threadFiles
    }

    deinit {
        if directory >= 0 { close(directory) }
        for fd in threadFiles { close(fd) }
    }
}
