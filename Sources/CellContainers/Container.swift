#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime

/// A container as the CLI sees it: its record, where it lives, and its current state.
public struct Container: Sendable {
    public var record: ContainerRecord
    public var directory: String
    /// What the monitor last wrote; nil when the container was never started.
    public var state: ContainerState?

    public var id: String { record.id }
    public var name: String { record.name }
    public var shortID: String { String(record.id.prefix(12)) }
    /// The store's volumes directory (`<root>/volumes`; the container lives in `<root>/containers/<id>`).
    public var volumesDirectory: String { FileSystem.dirname(of: FileSystem.dirname(of: directory)) + "/volumes" }

    public var status: ContainerStatus {
        status(of: state, readAgain: true)
    }

    private func status(of state: ContainerState?, readAgain: Bool) -> ContainerStatus {
        guard let state else { return .created }
        switch state.status {
        case .created:
            return .created
        case .running:
            if state.monitorPid > 0 && !ContainerSignaller.isAlive(state.monitorPid) {
                // The state may have been read just before the monitor's last word, and the
                // monitor gone since (a waiter sees this when the exit is quick): read it again.
                if readAgain, let final = try? ContainerState.read(fromContainerDirectory: directory) {
                    return status(of: final, readAgain: false)
                }
                // A monitor that died (kill -9, a reboot) without a final word: the container is gone.
                return .exited(code: 255, finishedAt: state.startedAt ?? Timestamp.now())
            }
            return .running(startedAt: state.startedAt ?? Timestamp.now())
        case .exited:
            // Waiting out its back-off before the policy starts it again (its monitor alive).
            if state.restarting && state.monitorPid > 0 && ContainerSignaller.isAlive(state.monitorPid) {
                return .restarting(code: state.exitCode, finishedAt: state.finishedAt ?? Timestamp.now())
            }
            return .exited(code: state.exitCode, finishedAt: state.finishedAt ?? Timestamp.now())
        }
    }

    public var isRunning: Bool {
        if case .running = status { return true }
        return false
    }

    /// Running, with its processes frozen by `pause`.
    public var isPaused: Bool { isRunning && FileSystem.exists("\(directory)/paused") }

    /// State.Health, when the container has a health check and has been started with it.
    public var health: HealthStatus? {
        guard let test = record.config.healthcheck?.test, test.first != "NONE", !test.isEmpty else { return nil }
        return HealthCheck.Status.read(fromContainerDirectory: directory)
    }

    /// State.Status and `ps -f status=`: `paused` for a paused one, else the status's name.
    public var statusName: String { isPaused ? "paused" : status.name }
}

/// docker's container states, as `ps` and `inspect` show them.
public enum ContainerStatus: Sendable, Equatable {
    case created
    case running(startedAt: Timestamp)
    case exited(code: Int32, finishedAt: Timestamp)
    /// Exited, and about to be started again by its restart policy.
    case restarting(code: Int32, finishedAt: Timestamp)

    /// `created`, `running`, `exited` (State.Status and `ps -f status=`).
    public var name: String {
        switch self {
        case .created: return "created"
        case .running: return "running"
        case .exited: return "exited"
        case .restarting: return "restarting"
        }
    }
}
