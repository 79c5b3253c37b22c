#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore
import CellCgroups

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

    /// The container's cgroup, as its pid 1 is in it; nil with --cgroups=disabled (pid 1 is then
    /// in its monitor's cgroup, which is not the container's to join, limit or list).
    public func cgroup() throws -> Cgroup? {
        if try spec().cgroups == .disabled { return nil }
        let cgroup = try Cgroup.of(process: pid, layout: CgroupLayout.detect())
        try checkAlive()
        return cgroup
    }

    /// The container's processes (host pids): its cgroup's, or without one, every process in
    /// its pid namespace (which no process leaves; exec's join it).
    public func processes() throws -> [Int32] {
        if let cgroup = try cgroup() { return try cgroup.processes() }
        var own = stat()
        guard stat("/proc/\(pid)/ns/pid", &own) == 0 else {
            throw CellError.system("stat /proc/\(pid)/ns/pid: \(Syscall.errorString(errno))")
        }
        try checkAlive()
        var pids: [Int32] = []
        for name in try FileSystem.contentsOfDirectory("/proc") {
            guard let candidate = Int32(name) else { continue }
            var namespace = stat()
            // A process that exits meanwhile is simply not listed.
            if stat("/proc/\(name)/ns/pid", &namespace) == 0 && namespace.st_ino == own.st_ino && namespace.st_dev == own.st_dev {
                pids.append(candidate)
            }
        }
        return pids
    }

    /// An O_PATH fd of the container's root directory, in its own mount namespace (with its
    /// /proc, /dev, volumes): /proc/<pid>/root, opened while the pidfd proves the pid is ours.
    public func openRoot() throws -> Int32 {
        let fd = open("/proc/\(pid)/root", OpenFlags.path | O_DIRECTORY | O_CLOEXEC)
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
