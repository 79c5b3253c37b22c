import CellCore

/// `--restart no|on-failure[:N]|always|unless-stopped`: whether the monitor starts the
/// container's process again when it exits. Never after the user stopped it (`stop`, `kill`,
/// `rm -f`: the stop-requested file), as Docker's daemon never does.
public struct RestartPolicy: Equatable, Sendable {
    public enum Name: String, Sendable {
        case no, onFailure = "on-failure", always, unlessStopped = "unless-stopped"
    }

    public var name: Name
    /// on-failure's bound; 0 for none.
    public var maximumRetryCount: Int

    public static let never = RestartPolicy(name: .no, maximumRetryCount: 0)

    public init(name: Name, maximumRetryCount: Int = 0) {
        self.name = name
        self.maximumRetryCount = maximumRetryCount
    }

    /// Docker's forms and its words for the others (the CLI's for a count that is not a
    /// number, the daemon's for the rest).
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        var count = 0
        if parts.count == 2 {
            guard let number = Int(parts[1]) else {
                throw CellError.usage("invalid restart policy format: maximum retry count must be an integer")
            }
            count = number
        }
        guard let name = Name(rawValue: parts[0].isEmpty ? "no" : parts[0]) else {
            throw CellError(.setup, "invalid restart policy: unknown policy '\(parts[0])'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'")
        }
        if parts.count == 2 && name != .onFailure {
            throw CellError(.setup, "invalid restart policy: maximum retry count can only be used with 'on-failure'")
        }
        if count < 0 { throw CellError(.setup, "invalid restart policy: maximum retry count cannot be negative") }
        self.init(name: name, maximumRetryCount: count)
    }

    /// Whether a process that exited with `exitCode` after `restarts` restarts goes again.
    public func restarts(after exitCode: Int32, restarts: Int, stoppedByUser: Bool) -> Bool {
        guard !stoppedByUser else { return false }
        switch name {
        case .no: return false
        case .always, .unlessStopped: return true
        case .onFailure: return exitCode != 0 && (maximumRetryCount == 0 || restarts < maximumRetryCount)
        }
    }

    /// Docker's back-off: 100 ms, doubled at each restart up to a minute, back to 100 ms after
    /// a run of 10 seconds or more.
    public static func nextDelay(previous: Int, ranFor seconds: Double) -> Int {
        if previous == 0 || seconds >= 10 { return 100 }
        return min(previous * 2, 60_000)
    }

    /// `<container-dir>/stop-requested`: written by stop, kill and rm -f before they signal.
    public static func stopRequestPath(containerDirectory: String) -> String { "\(containerDirectory)/stop-requested" }
}
