#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime

/// `pause` and `unpause`: the container's cgroup frozen or thawed, and a `paused` file in its
/// directory while it is (what `ps` and `inspect` read; the monitor removes it at the exit).
extension ContainerLifecycle {
    static func pauseMarker(_ container: Container) -> String { "\(container.directory)/paused" }

    public func pause(_ container: Container) throws {
        try store.withLock(container) {
            let current = try store.load(id: container.id)
            guard current.isRunning else { throw CellError.conflict("container \(current.id) is not running") }
            guard !current.isPaused else { throw CellError.conflict("container \(current.id) is already paused") }
            guard let cgroup = try RunningContainer(containerDirectory: current.directory).cgroup() else {
                throw CellError.conflict("cannot pause container \(current.id): it has no cgroup (--cgroups=disabled)")
            }
            try cgroup.setFrozen(true)
            try FileSystem.writeAtomically([], to: ContainerLifecycle.pauseMarker(current), durable: false)
            Events.container("pause", current)
        }
    }

    public func unpause(_ container: Container) throws {
        try store.withLock(container) {
            let current = try store.load(id: container.id)
            guard current.isPaused else { throw CellError.conflict("container \(current.id) is not paused") }
            try thaw(current)
            Events.container("unpause", current)
        }
    }

    /// Lets a paused container go (the caller holds its lock): `stop`, `kill` and `rm -f` of a
    /// paused container signal a running one, as Docker's do.
    func thaw(_ container: Container) throws {
        guard container.isPaused else { return }
        if let cgroup = try? RunningContainer(containerDirectory: container.directory).cgroup() {
            try cgroup.setFrozen(false)
        }
        unlink(ContainerLifecycle.pauseMarker(container))
    }
}
