#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// Signals a running container's init process and waits for containers to exit, from any
/// process (the CLI), through the state file the monitor keeps.
public enum ContainerSignaller {
    /// Sends `signal` to the container's pid 1. Returns false when the container is not
    /// running (or its process is gone). The pid is checked to still be the container's (same
    /// start time) through a pidfd, so a reused pid is never signalled.
    @discardableResult
    public static func signal(containerDirectory: String, signal: Int32) throws -> Bool {
        guard let state = try ContainerState.read(fromContainerDirectory: containerDirectory),
              state.status == .running, state.pid > 0 else { return false }
        let pidfd = cell_pidfd_open(state.pid)
        if pidfd == -ESRCH { return false }
        if pidfd < 0 { throw CellError.system("pidfd_open \(state.pid): \(Syscall.errorString(-pidfd))") }
        defer { close(pidfd) }
        // The pidfd now pins one process; if that is not the one we started, leave it alone.
        guard state.pidStartTime == 0 || ProcessStat.startTime(of: state.pid) == state.pidStartTime else { return false }
        let result = cell_pidfd_send_signal(pidfd, signal)
        if result == -ESRCH { return false }
        if result < 0 { throw CellError.system("kill \(state.pid): \(Syscall.errorString(-result))") }
        return true
    }

    /// Waits until the monitor has recorded the container's exit (or has itself gone away),
    /// up to `timeout` seconds. Returns the last state read; nil when there is none.
    public static func waitForExit(containerDirectory: String, timeout: Double) throws -> ContainerState? {
        let deadline = Deadline(after: timeout)
        // A pidfd on the monitor turns readable when it exits: sleep on that, not in steps.
        var monitorFD: Int32 = -1
        defer { if monitorFD >= 0 { close(monitorFD) } }
        while true {
            let state = try ContainerState.read(fromContainerDirectory: containerDirectory)
            guard let current = state, current.status == .running else { return state }
            if current.monitorPid <= 0 || !isAlive(current.monitorPid) {
                // The monitor is gone without a final state: report what is known.
                return try ContainerState.read(fromContainerDirectory: containerDirectory)
            }
            if deadline.hasPassed { return current }
            if monitorFD < 0 { monitorFD = cell_pidfd_open(current.monitorPid) }
            if monitorFD >= 0 {
                var descriptor = pollfd(fd: monitorFD, events: Int16(POLLIN), revents: 0)
                if poll(&descriptor, 1, Int32(min(deadline.remaining, 0.5) * 1000) + 1) > 0 {
                    // The monitor has exited (its final state, if any, is on disk).
                    return try ContainerState.read(fromContainerDirectory: containerDirectory)
                }
            } else {
                Deadline.pause(milliseconds: 10)
            }
        }
    }

    /// Docker's stop: `signal` (SIGTERM or the image's STOPSIGNAL), up to `timeout` seconds
    /// for the container to exit, then SIGKILL. Returns the final state.
    public static func stop(containerDirectory: String, signal: Int32 = SIGTERM, timeout: Double = 10) throws -> ContainerState? {
        if try self.signal(containerDirectory: containerDirectory, signal: signal) {
            if let state = try waitForExit(containerDirectory: containerDirectory, timeout: timeout),
               state.status != .running { return state }
            try self.signal(containerDirectory: containerDirectory, signal: SIGKILL)
        }
        return try waitForExit(containerDirectory: containerDirectory, timeout: 30)
    }

    /// Whether a process exists (kill(pid, 0); EPERM means it does) and has not exited (a
    /// zombie no one reaps is dead).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        return !ProcessStat.isZombie(pid)
    }
}
