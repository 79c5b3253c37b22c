#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import CellEvents
import CellRuntime

/// The container's health check, run by its monitor on schedule in the container's namespaces
/// and cgroup (as `exec` runs a process), one run at a time; a run that outlives its timeout is
/// killed. Each result goes into `<container-dir>/health` (State.Health), atomically. Driven
/// from the monitor's one poll loop: its output pipe is polled, its exit reaped with the rest.
final class HealthChecker {
    private let check: HealthCheck
    private let arguments: [String]
    private let directory: String
    private let started = Deadline.monotonicNow()
    private var status = HealthCheck.Status()
    private var next: Deadline
    private var running: Run?

    private struct Run {
        var pid: Int32
        var output: Int32
        var start: Timestamp
        var deadline: Deadline
        var bytes: [UInt8] = []
        var timedOut = false
    }

    init?(spec: ContainerSpec, directory: String) {
        guard let check = spec.healthCheck, let arguments = check.arguments else { return nil }
        self.check = check
        self.arguments = arguments
        self.directory = directory
        next = Deadline(after: check.startPeriod > 0 ? min(check.startInterval, check.interval) : check.interval)
        save()
    }

    private var inStartPeriod: Bool { Deadline.monotonicNow() - started < check.startPeriod }

    /// Milliseconds until something is due: the next run, or the running one's timeout.
    var pollTimeout: Int32 {
        let remaining = running?.deadline.remaining ?? next.remaining
        return Int32(min(remaining * 1000, Double(Int32.max / 2))) + 1
    }

    /// The running check's output pipe, or nothing.
    func descriptors() -> [pollfd] {
        [pollfd(fd: running?.output ?? -1, events: Int16(POLLIN), revents: 0)]
    }

    func handle(_ ready: ArraySlice<pollfd>) {
        guard var run = running, ready[ready.startIndex].revents != 0 else { return }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { read(run.output, $0.baseAddress, $0.count) }
        if n > 0 {
            // Docker keeps 4 KiB of it; a check that writes more is drained all the same.
            run.bytes += chunk[0..<min(n, max(0, HealthCheck.keptOutput - run.bytes.count))]
        } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
            close(run.output)
            run.output = -1
        }
        running = run
    }

    /// Starts a run when one is due; kills one past its timeout.
    func tick() {
        if var run = running {
            if run.deadline.hasPassed && !run.timedOut {
                run.timedOut = true
                kill(run.pid, SIGKILL)
                running = run
            }
            return
        }
        guard next.hasPassed else { return }
        start()
    }

    /// Called for each child the monitor reaps; true when it was the check.
    func reaped(_ pid: Int32, status wait: Int32) -> Bool {
        guard let run = running, run.pid == pid else { return false }
        if run.output >= 0 {
            // What is left in the pipe belongs to this run, up to a bound: something the check
            // left behind may go on writing forever (`yes &`), and must not hold the monitor here.
            // Once the pipe is closed, such a writer gets EPIPE.
            var chunk = [UInt8](repeating: 0, count: 4096)
            var bytes = run.bytes
            for _ in 0..<16 {
                let n = chunk.withUnsafeMutableBytes { read(run.output, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                bytes += chunk[0..<min(n, max(0, HealthCheck.keptOutput - bytes.count))]
            }
            close(run.output)
            running?.bytes = bytes
        }
        let exited = (wait & 0x7f) == 0
        let code: Int32 = run.timedOut ? -1 : (exited ? (wait >> 8) & 0xff : 128 + (wait & 0x7f))
        let output = run.timedOut ? "Health check exceeded timeout (\(HealthCheck.durationText(check.timeout)))"
            : HealthChecker.text(running?.bytes ?? [])
        finish(HealthCheck.Result(start: run.start, end: .now(), exitCode: code, output: output))
        return true
    }

    /// The container is gone: a check still running goes with it.
    func stop() {
        if let run = running {
            kill(run.pid, SIGKILL)
            if run.output >= 0 { close(run.output) }
        }
        running = nil
    }

    private func start() {
        let begin = Timestamp.now()
        do {
            let pipe = try PipePair()
            let null = try FileDescriptorHandle(path: "/dev/null", flags: O_RDONLY)
            let container = try RunningContainer(containerDirectory: directory)
            let process = try ContainerExec.process(for: ContainerExec.Options(arguments: arguments), in: container)
            let pid = try ContainerExec.spawn(in: container, process: process,
                                              stdio: .init(input: null.fd, output: pipe.writeEnd, error: pipe.writeEnd))
            pipe.closeWriteEnd()
            let output = pipe.takeReadEnd()
            _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
            running = Run(pid: pid, output: output, start: begin, deadline: Deadline(after: check.timeout))
        } catch {
            // Could not even start (a command missing from the image): a failed run, as Docker's.
            let message = (error as? CellError)?.message ?? "\(error)"
            finish(HealthCheck.Result(start: begin, end: .now(), exitCode: -1, output: message))
        }
    }

    private func finish(_ result: HealthCheck.Result) {
        running = nil
        var before = status.status
        let inStartPeriod = self.inStartPeriod
        // Through the file, under its lock: a `healthcheck run` may have recorded meanwhile.
        if let updated = try? HealthCheck.Status.update(containerDirectory: directory, { stored in
            before = stored.status
            stored.record(result, retries: check.retries, inStartPeriod: inStartPeriod)
        }) {
            status = updated
        } else {
            status.record(result, retries: check.retries, inStartPeriod: inStartPeriod)
            save()
        }
        if status.status != before { Monitor.recordEvent("health_status: \(status.status)", directory: directory) }
        next = Deadline(after: inStartPeriod && status.status == "starting" ? min(check.startInterval, check.interval) : check.interval)
    }

    private func save() {
        if let bytes = try? status.encoded() {
            try? FileSystem.writeAtomically(bytes, to: HealthCheck.Status.path(containerDirectory: directory), durable: false)
        }
    }

    /// Output as text, without NUL bytes (the record format's separator).
    static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.filter { $0 != 0 }, as: UTF8.self)
    }
}
