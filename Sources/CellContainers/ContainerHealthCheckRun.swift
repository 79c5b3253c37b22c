import CellCore
import CellRuntime

extension ContainerLifecycle {
    /// `healthcheck run` (Podman's verb): the container's check once, now, recorded as its
    /// monitor records a scheduled run (State.Health, and a health_status event when the status
    /// changes). The run's result.
    public func runHealthCheck(_ container: Container) throws -> HealthCheck.Result {
        let current = try store.load(id: container.id)
        let spec = try ContainerSpec.read(fromContainerDirectory: current.directory)
        guard let check = spec.healthCheck, check.arguments != nil else {
            throw CellError.invalidInput("container \(current.name) has no defined healthcheck")
        }
        guard current.isRunning else { throw CellError.conflict("container \(current.id) is not running") }
        if current.isPaused { throw CellError.conflict("container \(current.id) is paused, unpause the container before exec") }
        let result = check.runOnce(in: try RunningContainer(containerDirectory: current.directory))
        var inStartPeriod = false
        if let started = current.state?.startedAt {
            let now = Timestamp.now()
            let elapsed = Double(now.seconds - started.seconds) + Double(now.nanoseconds - started.nanoseconds) / 1e9
            inStartPeriod = elapsed < check.startPeriod
        }
        var before = ""
        let updated = try HealthCheck.Status.update(containerDirectory: current.directory) { stored in
            before = stored.status
            stored.record(result, retries: check.retries, inStartPeriod: inStartPeriod)
        }
        if let updated, updated.status != before { Events.container("health_status: \(updated.status)", current) }
        return result
    }
}
