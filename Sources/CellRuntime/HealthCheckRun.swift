#if canImport(Glibc)
import Glibc
#endif
import CellCore

extension HealthCheck {
    /// One run of the check in the container, as its monitor runs it but waited for here
    /// (`healthcheck run`): the output kept up to Docker's 4 KiB, the run killed at its timeout.
    public func runOnce(in container: RunningContainer) -> Result {
        let begin = Timestamp.now()
        do {
            guard let arguments else { throw CellError.invalidInput("the health check runs nothing (NONE)") }
            let pipe = try PipePair()
            let null = try FileDescriptorHandle(path: "/dev/null", flags: O_RDONLY)
            let process = try ContainerExec.process(for: ContainerExec.Options(arguments: arguments), in: container)
            let pid = try ContainerExec.spawn(in: container, process: process,
                                              stdio: .init(input: null.fd, output: pipe.writeEnd, error: pipe.writeEnd))
            pipe.closeWriteEnd()
            let output = pipe.takeReadEnd()
            defer { close(output) }
            let deadline = Deadline(after: timeout)
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            var timedOut = false
            // Read to the end of its output (the check and whatever it started are done with
            // it) or to the timeout, whichever comes first.
            while true {
                var ready = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
                let waited = poll(&ready, 1, Int32(min(deadline.remaining * 1000, 60_000)) + 1)
                if waited < 0 && errno == EINTR { continue }
                if deadline.hasPassed { timedOut = true; break }
                guard waited > 0 else { continue }
                let n = chunk.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                bytes += chunk[0..<min(n, max(0, HealthCheck.keptOutput - bytes.count))]
            }
            if timedOut { kill(pid, SIGKILL) }
            let code = ContainerExec.waitForExit(pid: pid)
            if timedOut {
                return Result(start: begin, end: .now(), exitCode: -1, output: "Health check exceeded timeout (\(HealthCheck.durationText(timeout)))")
            }
            return Result(start: begin, end: .now(), exitCode: code, output: String(decoding: bytes.filter { $0 != 0 }, as: UTF8.self))
        } catch {
            // Could not even start (a command missing from the image): a failed run, as Docker's.
            return Result(start: begin, end: .now(), exitCode: -1, output: (error as? CellError)?.message ?? "\(error)")
        }
    }

    /// Go's `time.Duration` text (`100ms`, `30s`, `1m30s`, `1.5s`).
    public static func durationText(_ value: Double) -> String {
        let milliseconds = Int((value * 1000).rounded())
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        let minutes = milliseconds / 60_000
        let rest = Double(milliseconds % 60_000) / 1000
        let secondsText = rest == rest.rounded() ? String(Int(rest)) : String(rest)
        return (minutes > 0 ? "\(minutes)m" : "") + "\(secondsText)s"
    }
}
