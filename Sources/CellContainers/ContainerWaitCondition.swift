#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime

/// What `wait` waits for, as the Engine API's `condition` names it (the CLI waits for not-running).
public enum ContainerWaitCondition: String, Sendable, CaseIterable {
    /// Returns at once for a container that is not running; else when it exits.
    case notRunning = "not-running"
    /// The exit after this moment: a running container's, or the next run's of a stopped one
    /// (`docker run` asks for it before the start).
    case nextExit = "next-exit"
    /// Once the container is gone (`docker run --rm`): stopped, then removed by whoever removes it.
    case removed
}

extension ContainerLifecycle {
    /// Blocks until `condition` holds; the container's last exit status (0 if it never ran). A
    /// container removed meanwhile ends every wait, with the status it last had. `keepWaiting` is
    /// asked about once a second (the API server's client may have gone): nil when it said no.
    ///
    /// A running container is waited for on its monitor's pidfd; between runs (a start still to
    /// come, a removal) the record is read again every 50 ms: there is no daemon to announce them.
    public func wait(_ container: Container, until condition: ContainerWaitCondition,
                     while keepWaiting: () -> Bool = { true }) throws -> Int32? {
        let baseline = container.state?.finishedAt
        var status = Self.exitStatus(container)
        var current = container
        var lastAsked = Timestamp.now()
        while true {
            if Timestamp.now().secondsUntil(lastAsked) < -1 {
                guard keepWaiting() else { return nil }
                lastAsked = Timestamp.now()
            }
            if current.isRunning {
                // It may be removed meanwhile (--rm): read again below.
                _ = try? ContainerSignaller.waitForExit(containerDirectory: current.directory, timeout: 1)
            } else {
                status = Self.exitStatus(current)
                switch condition {
                case .notRunning:
                    return status
                case .nextExit:
                    if case .exited = current.status, current.state?.finishedAt != baseline { return status }
                    usleep(50_000)
                case .removed:
                    usleep(50_000)
                }
            }
            // Gone, or going (its record removed first): the wait is over.
            // A --rm container leaves no record of its exit, but its monitor exits with the status,
            // which this process learns if it started the monitor (the API server's start).
            guard let next = (try? store.find(container.id)) ?? nil else {
                return MonitorReaper.exitStatus(ofContainerIn: container.directory, within: 2) ?? status
            }
            current = next
        }
    }

    private static func exitStatus(_ container: Container) -> Int32 {
        switch container.status {
        case .exited(let code, _), .restarting(let code, _): return code
        case .created, .running: break
        }
        return container.state?.exitCode ?? 0
    }
}
