import CellBuild

/// `--progress=plain` (and auto without a terminal): a line on stderr as each step starts or
/// comes from the cache, the time of each step that made a layer, and RUN's output on our own
/// stdout and stderr as it comes (the monitor writes there itself).
///
///     [4/6] COPY f /f
///     [4/6] DONE 0.02s
///     [5/6] RUN make CACHED
enum PlainBuildDisplay {
    static var progress: BuildProgress {
        BuildProgress(commandOutput: .inherited, report: show)
    }

    static func show(_ event: BuildEvent) {
        switch event {
        case .planned, .output, .commandFailed:
            return
        case .started(let step):
            if step.kind != .export { say("\(step.label) \(step.summary)") }
        case .cached(let step):
            say("\(step.label) \(step.instruction) CACHED")
        case .finished(let step, let seconds):
            if step.kind == .run || step.kind == .copy { say("\(step.label) DONE \(Double(Int(seconds * 100)) / 100)s") }
        case .failed(let step, let lastLines):
            if !lastLines.isEmpty { say(failureReport(step, lastLines)) }
        }
    }

    /// A failed RUN's last lines, between rules, as BuildKit repeats them after the progress.
    static func failureReport(_ step: BuildStep, _ lastLines: [String]) -> String {
        "------\n > \(step.label) \(step.instruction):\n" + lastLines.map { "   \($0)" }.joined(separator: "\n") + "\n------"
    }

    /// Whatever RUN wrote to stdout comes first.
    private static func say(_ line: String) {
        Output.flush()
        Output.error(line)
    }
}
