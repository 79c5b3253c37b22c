#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellCgroups
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
            try ContainerLifecycle.freeze(current, cgroup: cgroup)
            Events.container("pause", current)
        }
    }

    public func unpause(_ container: Container) throws {
        try store.withLock(container) {
            let current = try store.load(id: container.id)
            guard current.isPaused else { throw CellError.conflict("container \(current.id) is not paused") }
            try ContainerLifecycle.thaw(current)
            Events.container("unpause", current)
        }
    }

    /// Freezes a running container (the caller holds its lock): the marker first, so that one
    /// killed midway is left visibly paused, for `unpause`, never frozen behind a running status.
    static func freeze(_ container: Container, cgroup: Cgroup) throws {
        let marker = pauseMarker(container)
        try FileSystem.writeAtomically([], to: marker, durable: false)
        do {
            try cgroup.setFrozen(true)
        } catch {
            unlink(marker)
            throw error
        }
    }

    /// Lets a paused container go (the caller holds its lock): `stop`, `kill` and `rm -f` of a
    /// paused container signal a running one, as Docker's do. The marker goes only once the
    /// thaw worked.
    static func thaw(_ container: Container) throws {
        guard container.isPaused else { return }
        if let cgroup = try? RunningContainer(containerDirectory: container.directory).cgroup() {
            try cgroup.setFrozen(false)
        }
        unlink(ContainerLifecycle.pauseMarker(container))
    }
}
