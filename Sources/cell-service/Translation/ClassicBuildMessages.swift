import CellBuild
import CellCore
import CellImage

/// A build's progress in the words of Docker's classic builder, which `docker build` (with
/// `DOCKER_BUILDKIT=0`) and docker-py print as they come: `Step 2/5 : COPY a /a`, ` ---> Using
/// cache`, a RUN's output, then the image's id (`aux`) and `Successfully built` / `tagged`.
/// With `q` only the id is said, at the end.
struct ClassicBuildMessages: Sendable {
    let stream: JSONMessageStream
    let quiet: Bool

    /// Where the builder reports: RUN output as events, relayed as `stream` messages.
    var progress: BuildProgress? {
        guard !quiet else { return nil }
        let stream = self.stream
        return BuildProgress(commandOutput: .events) { event in ClassicBuildMessages.say(event, on: stream) }
    }

    static func say(_ event: BuildEvent, on stream: JSONMessageStream) {
        switch event {
        case .planned, .finished, .failed:
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
}
