import CellCore

/// The line the monitor writes to its launcher on `--sync-fd N`, then closes the fd:
///
///     started <pid>\n
///     error <exit-status> <message>\n
///
/// An attached monitor keeps the fd after `started` (its launcher going away closes the other
/// end, which the monitor sees), and writes a second line if the detach keys are typed:
///
///     detached\n
///
/// The exit status (125, 126, 127, or 1) says which CellError kind the message is.
public enum MonitorSyncMessage: Equatable, Sendable {
    case started(pid: Int32)
    case failed(CellError)
    /// The attached client typed the detach keys; the container runs on.
    case detached
    /// The container exited with this status and its restart policy starts it again: the
    /// client is done, the monitor goes on without it.
    case exited(Int32)

    public var line: String {
        switch self {
        case .started(let pid):
            return "started \(pid)\n"
        case .failed(let error):
            let flat = error.message.map { $0 == "\n" ? " " : $0 }
            return "error \(error.exitCode) \(String(flat))\n"
        case .detached:
            return "detached\n"
        case .exited(let status):
            return "exited \(status)\n"
        }
    }

    public init?(line: String) {
        var text = Substring(line)
        if text.hasSuffix("\n") { text.removeLast() }
        if text == "detached" {
            self = .detached
            return
        }
        if text.hasPrefix("exited "), let status = Int32(text.dropFirst(7)) {
            self = .exited(status)
            return
        }
        if text.hasPrefix("started "), let pid = Int32(text.dropFirst(8)) {
            self = .started(pid: pid)
            return
        }
        guard text.hasPrefix("error ") else { return nil }
        let rest = text.dropFirst(6)
        let parts = rest.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard let status = Int32(parts[0]) else { return nil }
        let message = parts.count > 1 ? String(parts[1]) : ""
        let kind: CellError.Kind
        switch status {
        case 125: kind = .setup
        case 126: kind = .commandNotExecutable
        case 127: kind = .commandNotFound
        default: kind = .system
        }
        self = .failed(CellError(kind, message))
    }
}
