import CellBuild
import CellCore
import CellImage
import NIOConcurrencyHelpers

/// A build's progress in the words of Docker's classic builder, which `docker build` (without
/// BuildKit) and docker-py print as they come: `Step 2/5 : COPY a /a`, ` ---> Using cache`, a
/// RUN's output, then the image's id (`aux`) and `Successfully built` / `tagged`. With `q` only
/// the id is said, at the end. A RUN that fails ends the stream as the classic builder's does:
/// `The command '/bin/sh -c ...' returned a non-zero code: 3`, with the code, which the docker
/// CLI exits with.
final class ClassicBuildMessages: Sendable {
    let stream: JSONMessageStream
    let quiet: Bool
    private let commandFailure = NIOLockedValueBox<(arguments: [String], status: Int32)?>(nil)

    init(stream: JSONMessageStream, quiet: Bool) {
        self.stream = stream
        self.quiet = quiet
    }

    /// Where the builder reports: RUN output as events, relayed as `stream` messages (and
    /// dropped with `q`, as the classic builder keeps it out of a quiet build's answer).
    var progress: BuildProgress {
        BuildProgress(commandOutput: .events) { [self] event in say(event) }
    }

    private func say(_ event: BuildEvent) {
        if case .commandFailed(_, let arguments, let status) = event {
            commandFailure.withLockedValue { $0 = (arguments, status) }
        }
        guard !quiet else { return }
        switch event {
        case .planned, .finished, .failed, .commandFailed:
            return
        case .started(let step):
            guard step.kind != .export else { return }
            stream.say("Step \(step.number)/\(step.total) : \(step.instruction)\n")
        case .cached(let step):
            stream.say("Step \(step.number)/\(step.total) : \(step.instruction)\n")
            if step.kind != .from { stream.say(" ---> Using cache\n") }
        case .output(_, let bytes):
            stream.say(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The end of a build that succeeded.
    func finish(id: Digest, tags: [ImageReference]) {
        stream.send(.object([("aux", .object([("ID", .string(id.description))]))]))
        if quiet {
            stream.say("\(id)\n")
            return
        }
        stream.say("Successfully built \(id.shortHex)\n")
        for tag in tags { stream.say("Successfully tagged \(tag.familiarName)\n") }
    }

    /// The end of a build whose RUN command failed, as the classic builder words it; false for
    /// any other failure (the stream's usual last message then).
    func finishFailedCommand() -> Bool {
        guard let (arguments, status) = commandFailure.withLockedValue({ $0 }) else { return false }
        stream.fail("The command '\(arguments.joined(separator: " "))' returned a non-zero code: \(status)", code: Int(status))
        return true
    }
}
