import ArgumentParser
import CellContainers
import CellCore
import CellImage

/// What an argument completes to when the user presses TAB: container and image names read from
/// the store the line being completed names (`--root`, CELL_ROOT, the default), as Docker 28's
/// completions offer them. `CommandLineCompletion` runs these closures (through the parser's
/// `---completion` request) when a shell's TAB asks `cell __complete ...`: one start of cell and
/// one read of the store.
///
/// A completion must never change or create anything and never print an error into the user's
/// terminal: a store that does not exist (or cannot be read) completes to nothing.
enum NameCompletion {
    /// Which containers a verb offers, as Docker's completions choose them.
    enum ContainerSelection: Sendable {
        /// Every container (logs, inspect, restart, ...).
        case all
        /// Running ones: what stop, kill, exec, attach, top and stats can act on.
        case running
        /// Created or exited ones: what start can start.
        case stopped
        /// rm: stopped ones, every one once the line has -f.
        case removable
    }

    static func containers(_ selection: ContainerSelection) -> CompletionKind {
        .custom { words, _, _ in containerNames(selection, words: words) }
    }

    /// Tagged images as `repository:tag` (Docker's RepoTags).
    static let images = CompletionKind.custom { words, _, _ in imageNames(words: words) }

    /// `inspect` takes either.
    static let containersAndImages = CompletionKind.custom { words, _, _ in
        containerNames(.all, words: words) + imageNames(words: words)
    }

    static func containerNames(_ selection: ContainerSelection, words: [String]) -> [String] {
        guard let root = root(of: words), FileSystem.isDirectory(StoreLayout(root: root).containers),
              let store = try? ContainerStore(layout: StoreLayout(root: root)),
              let containers = try? store.list()
        else { return [] }
        let forced = words.contains { $0 == "--force" || $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("f") }
        return containers.filter { container in
            // An exited --rm container is on its way out: the next listing removes it.
            if case .exited = container.status, container.record.hostConfig.autoRemove { return false }
            let running = container.isRunning
            switch selection {
            case .all: return true
            case .running: return running
            case .stopped: return !running
            case .removable: return forced || !running
            }
        }.map(\.name)
    }

    static func imageNames(words: [String]) -> [String] {
        guard let root = root(of: words), FileSystem.exists(StoreLayout(root: root).indexFile),
              let store = try? ImageStore(root: root),
              let images = try? store.images()
        else { return [] }
        return images.flatMap { image in image.names.filter { $0.tag != nil }.map(\.familiarName) }
    }

    /// The store the line names with its global options (`cell --root DIR rm ...`), else
    /// CELL_ROOT or the default; nil when the line's options are malformed.
    static func root(of words: [String]) -> String? {
        guard (try? GlobalOptions.consume(from: Array(words.dropFirst()))) != nil else { return nil }
        return GlobalOptions.root
    }
}
