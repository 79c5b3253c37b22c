#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// A container's pid 1, pinned by a pidfd and checked against the start time the monitor
/// recorded, so a pid reused by another process is never joined, listed or copied from.
/// The entry point of exec, top and cp on a running container.
public final class RunningContainer {
    public let directory: String
    public let pid: Int32
    public let pidfd: Int32

    /// Throws `.conflict` ("container <id> is not running") when it is not.
    public init(containerDirectory: String) throws {
        directory = containerDirectory
        guard let state = try ContainerState.read(fromContainerDirectory: containerDirectory),
              state.status == .running, state.pid > 0 else {
            throw RunningContainer.notRunning(containerDirectory)
        }
        let fd = cell_pidfd_open(state.pid)
        if fd == -ESRCH { throw RunningContainer.notRunning(containerDirectory) }
        if fd < 0 { throw CellError.system("pidfd_open \(state.pid): \(Syscall.errorString(-fd))") }
        guard state.pidStartTime == 0 || ProcessStat.startTime(of: state.pid) == state.pidStartTime else {
            close(fd)
            throw RunningContainer.notRunning(containerDirectory)
        }
        pid = state.pid
        pidfd = fd
    }

    deinit { close(pidfd) }

    private var cachedSpec: ContainerSpec?

    /// Its spec, read once (exec composes the process from it, then starts it with the
    /// seccomp cache, exec helper and id mapping it names).
    public func spec() throws -> ContainerSpec {
        if let cachedSpec { return cachedSpec }
        let spec = try ContainerSpec.read(fromContainerDirectory: directory)
        cachedSpec = spec
        return spec
    }

    /// False once the process has exited (its pidfd turns readable).
    public var isAlive: Bool {
        var descriptor = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 0
    }

    /// The container's cgroup, as its pid 1 is in it.
    public func cgroup() throws -> Cgroup {
        let cgroup = try Cgroup.of(process: pid, layout: CgroupLayout.detect())
        try checkAlive()
        return cgroup
    }

    /// An O_PATH fd of the container's root directory, in its own mount namespace (with its
    /// /proc, /dev, volumes): /proc/<pid>/root, opened while the pidfd proves the pid is ours.
    public func openRoot() throws -> Int32 {
        let fd = open("/proc/\(pid)/root", Int32(CELL_O_PATH.rawValue) | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw CellError.system("open /proc/\(pid)/root: \(Syscall.errorString(errno))") }
        do { try checkAlive() } catch { close(fd); throw error }
        return fd
    }

    func checkAlive() throws {
        if !isAlive { throw RunningContainer.notRunning(directory) }
    }

    /// Docker's wording; the id comes from the spec (the directory name when there is none).
    static func notRunning(_ directory: String) -> CellError {
        let id = (try? ContainerSpec.read(fromContainerDirectory: directory))?.id ?? FileSystem.basename(of: directory)
        return CellError.conflict("container \(id) is not running")
    }
}
