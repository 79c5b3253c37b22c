#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellFormat
import CellImage
import CellRegistry

/// Docker's pull output. Not on a terminal: a line per status, without the byte counts. On
/// one: a line per layer, rewritten in place as it goes (a progress bar while downloading).
final class PullProgressDisplay: @unchecked Sendable {
    private let terminal: Bool
    /// stdout for `pull`, stderr for the pull `run` does first.
    private let descriptor: Int32
    private var mutex = pthread_mutex_t()
    /// On a terminal: the layers' lines, in the order they were first shown.
    private var order: [String] = []
    private var lines: [String: String] = [:]

    init(descriptor: Int32 = 1) {
        self.descriptor = descriptor
        terminal = isatty(descriptor) == 1
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    func show(_ event: PullProgress) {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        switch event {
        case .pulling(let tag, let repository):
            emit("\(tag): Pulling from \(repository)")
        case .digest(let digest):
            emit("Digest: \(digest)")
        case .status(let text):
            emit("Status: \(text)")
        case .layer(let id, let status):
            let text = "\(id): \(PullProgressDisplay.words(status, terminal: terminal))"
            guard terminal else {
                switch status {
                case .downloading, .extracting: return
                default: emit(text)
                }
                return
            }
            if lines[id] == nil {
                order.append(id)
                lines[id] = text
                write(text + "\n")
            } else {
                lines[id] = text
                let up = order.count - order.firstIndex(of: id)!
                // Up to the layer's line, rewrite it, and back down.
                write("\u{1b}[\(up)A\r\u{1b}[2K\(text)\r\u{1b}[\(up)B")
            }
        }
    }

    /// A line outside the layers' block: the block is done with.
    private func emit(_ text: String) {
        order = []
        lines = [:]
        write(text + "\n")
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
    }

    static func words(_ status: PullProgress.LayerStatus, terminal: Bool) -> String {
        switch status {
        case .downloading(let current, let total) where terminal:
            return "Downloading " + bar(current, total)
        default:
            return status.text
        }
    }

    /// Docker's `[=====>      ]  1.2MB/3.4MB`: 50 columns.
    static func bar(_ current: Int64, _ total: Int64) -> String {
        guard total > 0 else { return HumanUnits.size(current, precision: 4) }
        let filled = Int(min(50, current * 50 / total))
        let arrow = filled < 50 ? ">" : "="
        let body = String(repeating: "=", count: max(0, filled - 1)) + (filled > 0 ? arrow : "")
        return "[" + body + String(repeating: " ", count: 50 - body.count) + "]  "
            + HumanUnits.size(current, precision: 4) + "/" + HumanUnits.size(total, precision: 4)
    }
}

extension PullProgressDisplay {
    /// Pulls what `--pull` says `image` needs before `run` or `create` uses it, as Docker does:
    /// `Unable to find image 'x' locally`, then the pull's progress, on stderr.
    static func pullIfNeeded(_ image: String, policy text: String?, platform: String?) throws {
        let policy = try PullPolicy(parsing: text ?? "missing")
        var puller = ImagePuller(store: try GlobalOptions.imageStore(), credentialStore: CredentialStore())
        if let platform { puller.platform = try PlatformSelector(parsing: platform) }
        guard let reference = try puller.referenceToPull(image, policy: policy) else { return }
        if policy == .missing { Output.error("Unable to find image '\(reference.familiarName)' locally") }
        let display = PullProgressDisplay(descriptor: 2)
        do {
            _ = try puller.pull(reference) { display.show($0) }
        } catch let error as CellError {
            // run and create exit 125 for a pull that failed, as for their other failures.
            throw DaemonError(CellError(.setup, error.message))
        }
    }
}
