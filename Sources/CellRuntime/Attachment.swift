/// How a foreground client (`run` without -d, `start -a`) is attached to its container: which
/// of the container's output streams it shows, the keys that detach it from a `-t`
/// container, and whether signals sent to it reach the container (`--sig-proxy`).
///
/// The monitor of an attached container shares the client's stdio and process group. It
/// watches the client through the start pipe: when the client goes away (killed, or Ctrl-C
/// with `--sig-proxy=false`), the monitor stops using the client's terminal, leaves its
/// session and runs on, detached, as a Docker container outlives a killed `docker run`.
public struct Attachment: Equatable, Sendable {
    /// `-a stdout`: the container's stdout is shown (it is logged either way).
    public var standardOutput: Bool
    /// `-a stderr`: the container's stderr is shown.
    public var standardError: Bool
    public var detachKeys: DetachKeys
    /// `--sig-proxy` (on by default): the client's signals go to the container.
    public var proxiesSignals: Bool

    public init(standardOutput: Bool = true, standardError: Bool = true, detachKeys: DetachKeys = DetachKeys(),
                proxiesSignals: Bool = true) {
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.detachKeys = detachKeys
        self.proxiesSignals = proxiesSignals
    }

    /// The monitor's arguments for this attachment (after `--attach`).
    public var monitorArguments: [String] {
        var arguments: [String] = []
        if !standardOutput || !standardError {
            let streams = [standardOutput ? "stdout" : nil, standardError ? "stderr" : nil].compactMap { $0 }
            arguments += ["--attach-streams", streams.isEmpty ? "none" : streams.joined(separator: ",")]
        }
        if detachKeys.sequence != DetachKeys.defaultSequence { arguments += ["--detach-keys", detachKeys.description] }
        if !proxiesSignals { arguments.append("--no-sig-proxy") }
        return arguments
    }
}
