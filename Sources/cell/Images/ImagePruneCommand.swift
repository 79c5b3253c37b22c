#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellCore
import CellImage
import CellPresentation

struct ImagePruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove unused images.")

    @Flag(name: [.customShort("a"), .long], help: "Remove all unused images, not just dangling ones.")
    var all = false

    @Option(help: "Provide filter values (e.g. \"until=<timestamp>\").")
    var filter: [String] = []

    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation.")
    var force = false

    func run() throws {
        let filters = try FilterFlag.pairs(filter)
        if !force {
            let what = all ? "all images without at least one container associated to them" : "all dangling images"
            guard Prompt.confirm("WARNING! This will remove \(what).\nAre you sure you want to continue? [y/N] ") else {
                return
            }
        }
        let store = try GlobalOptions.imageStore()
        let containers = try GlobalOptions.containerStore()
        let (events, reclaimed) = try DaemonError.reporting {
            try store.prune(all: all, filter: try PruneFilter(filters, for: .images), users: containers.imageUsers)
        }
        Self.report(events)
        Output.line("Total reclaimed space: \(Presentation.humanSize(reclaimed.bytes))")
    }
}

extension ImagePruneCommand {
    /// docker's "Deleted Images:" section, with the blank line after it; nothing when none went.
    static func report(_ events: [ImageStore.RemovalEvent]) {
        guard !events.isEmpty else { return }
        Output.line("Deleted Images:")
        for event in events {
            switch event {
            case .untagged(let name): Output.line("untagged: \(name)")
            case .deleted(let id): Output.line("deleted: \(id)")
            }
        }
        Output.line("")
    }
}

enum Prompt {
    /// Asks on stdout, reads a line from stdin; anything but y/yes (or no input) is no.
    static func confirm(_ question: String) -> Bool {
        print(question, terminator: "")
        Output.flush()
        // docker prints nothing more at the end of input.
        guard let answer = readLine() else { return false }
        return ["y", "yes"].contains(answer.trimmedWhitespace.lowercased())
    }
}
