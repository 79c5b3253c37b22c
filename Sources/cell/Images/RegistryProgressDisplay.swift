#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellFormat
import CellImage
import CellPresentation
import CellRegistry

/// Docker's pull and push output. Not on a terminal: a line per status, without the byte
/// counts. On one: a line per layer, rewritten in place as it goes (a bar while it moves).
final class RegistryProgressDisplay: @unchecked Sendable {
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
        switch event {
        case .pulling(let tag, let repository): line("\(tag): Pulling from \(repository)")
        case .digest(let digest): line("Digest: \(digest)")
        case .status(let text): line("Status: \(text)")
        case .layer(let id, let status):
            switch status {
            case .downloading(let current, let total): layer(id, "Downloading", current: current, total: total)
            case .extracting: layer(id, "Extracting", current: nil, total: nil)
            default: layer(id, status.text)
            }
        }
    }

    func show(_ event: PushProgress) {
        switch event {
        case .refersTo(let repository): line("The push refers to repository [\(repository)]")
        case .pushed(let tag, let digest, let size): line("\(tag): digest: \(digest) size: \(size)")
        case .layer(let id, let status):
            if case .pushing(let current, let total) = status {
                layer(id, "Pushing", current: current, total: total)
            } else {
                layer(id, status.text)
            }
        }
    }

    /// A line of its own.
    private func line(_ text: String) {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        emit(text)
    }

    /// A layer's state. One with a byte count (`current`) is a progress report: a bar on a
    /// terminal, nothing otherwise (Docker's plain output has no byte counts).
    private func layer(_ id: String, _ words: String, current: Int64? = nil, total: Int64? = nil) {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        let isProgress = current != nil || words == "Extracting"
        guard terminal else {
            if !isProgress { emit("\(id): \(words)") }
            return
        }
        var text = "\(id): \(words)"
        if let current, let total { text += " " + ProgressBar.text(current, total) }
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
}

extension RegistryProgressDisplay {
    /// The pull `run` and `create` do, as Docker's: `Unable to find image 'x' locally` first
    /// when it is missing, then the pull's progress, on stderr. A text that names nothing a
    /// registry could have (an id) is left for the store's own answer.
    static func pullForRun(_ image: String, platform: String?, missing: Bool) throws {
        var puller = ImagePuller(store: try GlobalOptions.imageStore(), credentialStore: CredentialStore())
        if let platform { puller.platform = try PlatformSelector(parsing: platform) }
        guard let reference = try (missing ? try? ImageReference(parsing: image) : puller.referenceToPull(image, policy: .always)) else {
            return
        }
        if missing { Output.error("Unable to find image '\(reference.familiarName)' locally") }
        let display = RegistryProgressDisplay(descriptor: 2)
        do {
            _ = try puller.pull(reference) { display.show($0) }
        } catch let error as CellError {
            // run and create exit 125 for a pull that failed, as for their other failures.
            throw DaemonError(CellError(.setup, error.message))
        }
    }
}
