/// What a build reports as it goes, step by step, for a face to show (the CLI's plain lines or
/// its terminal display; BuildKit's progress stream for an API). Steps start and end in order:
/// one step at a time.
public enum BuildEvent: Sendable, Equatable {
    /// First: how many steps the build will report (the stages the target needs, each FROM
    /// and instruction, and the export), for a display's `(3/7)`. ONBUILD triggers come on top.
    case planned(steps: Int)
    /// A step begins work: its result was not in the cache.
    case started(BuildStep)
    /// A step's result came from the build cache; nothing ran.
    case cached(BuildStep)
    /// Output of a RUN step's command, stdout and stderr interleaved as they came; only when
    /// the progress asked for it (`BuildProgress.CommandOutput.events`).
    case output(BuildStep, [UInt8])
    /// A step is done, after `seconds`.
    case finished(BuildStep, seconds: Double)
    /// A RUN step's command exited with `status` (not 0): what it ran, for a face that words the
    /// failure as Docker's classic builder does. `failed` follows.
    case commandFailed(BuildStep, arguments: [String], status: Int32)
    /// A step failed (the build fails with it): the last lines of its command's output, for a
    /// RUN step that ran.
    case failed(BuildStep, lastLines: [String])
}
