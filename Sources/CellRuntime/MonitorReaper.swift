#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// Reaps the detached monitors a long-lived process started (the API service). The CLI exits right
/// after a detached start, so its monitors pass to init; a process that stays would keep every
/// exited monitor as a zombie. Only the monitors handed to `adopt` are reaped, each by its own
/// pid, so that the children other code waits for (an attached start, an exec) keep their exit
/// statuses: a SIGCHLD handler with `waitpid(-1)` would steal them.
///
/// One thread polls a pidfd per monitor (readable once it exits) and a pipe that wakes it when a
/// monitor is adopted.
public final class MonitorReaper: @unchecked Sendable {
    /// Set once by a process that reaps (`startReaping`); nil in the CLI.
    nonisolated(unsafe) static var shared: MonitorReaper?

    private var mutex = pthread_mutex_t()
    /// pidfd → pid and container directory of every monitor not reaped yet (or, for another
    /// child handed over through `ChildReaper`, what to tell of its exit).
    private var watched: [Int32: (pid: Int32, container: String?, whenExited: (@Sendable (Int32) -> Void)?)] = [:]
    /// Container directory → exit status of its last monitor reaped. A monitor exits with its
    /// container's status: for a --rm container, the only trace of it once it is removed.
    private var exited: [String: Int32] = [:]
    private static let keptStatuses = 4096
    private let wakeRead: Int32
    private let wakeWrite: Int32

    private init() throws {
        var fds: [Int32] = [-1, -1]
        let result = cell_pipe_cloexec(&fds)
        if result < 0 { throw CellError.system("pipe: \(Syscall.errorString(-result))") }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
        pthread_mutex_init(&mutex, nil)
    }

    /// From now on, every monitor this process starts detached is reaped when it exits.
    public static func startReaping() throws {
        guard shared == nil else { return }
        let reaper = try MonitorReaper()
        _ = try NativeThread.start(detached: true) { reaper.run() }.get()
        shared = reaper
    }

    /// Watches `pid`, a child of this process and the monitor of the container in `directory`,
    /// until it exits; then reaps it.
    func adopt(_ pid: Int32, container directory: String) {
        watch(pid, container: directory, whenExited: nil)
    }

    func watch(_ pid: Int32, container directory: String?, whenExited: (@Sendable (Int32) -> Void)?) {
        let pidfd = cell_pidfd_open(pid)
        // Gone already: reap it now (it is our child, so it waits as a zombie).
        guard pidfd >= 0 else {
            var status: Int32 = 0
            _ = waitpid(pid, &status, WNOHANG)
            whenExited?(Self.exitStatus(status))
            return
        }
        pthread_mutex_lock(&mutex)
        watched[pidfd] = (pid, directory, whenExited)
        pthread_mutex_unlock(&mutex)
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// The exit status of the last monitor this process started for the container in `directory`
    /// (waiting up to `timeout` seconds for one still running to exit and be reaped); nil when
    /// this process started none.
    public static func exitStatus(ofContainerIn directory: String, within timeout: Double) -> Int32? {
        guard let reaper = shared else { return nil }
        let deadline = Deadline(after: timeout)
        while true {
            pthread_mutex_lock(&reaper.mutex)
            let pending = reaper.watched.values.contains { $0.container == directory }
            let status = reaper.exited[directory]
            pthread_mutex_unlock(&reaper.mutex)
            if !pending || deadline.hasPassed { return status }
            Deadline.pause(milliseconds: 5)
        }
    }

    static func exitStatus(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    private func run() {
        var drain = [UInt8](repeating: 0, count: 64)
        while true {
            pthread_mutex_lock(&mutex)
            var descriptors = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            descriptors += watched.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            pthread_mutex_unlock(&mutex)
            if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 {
                if errno == EINTR { continue }
                return
            }
            if descriptors[0].revents != 0 {
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
            for descriptor in descriptors.dropFirst() where descriptor.revents != 0 {
                pthread_mutex_lock(&mutex)
                let monitor = watched[descriptor.fd]
                pthread_mutex_unlock(&mutex)
                guard let monitor else { continue }
                var status: Int32 = 0
                while waitpid(monitor.pid, &status, 0) < 0 && errno == EINTR {}
                pthread_mutex_lock(&mutex)
                // Moved from watched to exited in one step: `exitStatus` sees one or the other.
                watched.removeValue(forKey: descriptor.fd)
                if let container = monitor.container {
                    if exited.count >= MonitorReaper.keptStatuses, let any = exited.keys.first { exited.removeValue(forKey: any) }
                    exited[container] = Self.exitStatus(status)
                }
                pthread_mutex_unlock(&mutex)
                close(descriptor.fd)
                monitor.whenExited?(Self.exitStatus(status))
            }
        }
    }
}

/// Children other than monitors that a long-lived process hands over instead of waiting for them
/// on a thread of their own: an API exec whose client went away, an `exec -d` whose exit status
/// its record keeps. Reaped by `MonitorReaper`'s thread, each by its own pid.
public enum ChildReaper {
    /// Whether this process reaps handed-over children (the API service); the CLI does not.
    public static var isReaping: Bool { MonitorReaper.shared != nil }

    /// Reaps `pid` (our child) when it exits and tells `whenExited` its status (128+signal when
    /// killed), on the reaper's thread. Without a reaper, waits for it here.
    public static func watch(_ pid: Int32, whenExited: @escaping @Sendable (Int32) -> Void) {
        guard let reaper = MonitorReaper.shared else {
            whenExited(ContainerExec.waitForExit(pid: pid))
            return
        }
        reaper.watch(pid, container: nil, whenExited: whenExited)
    }
}
