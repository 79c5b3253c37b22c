import ArgumentParser
import CellContainers
import CellCore

/// `docker diff CONTAINER`: one `A|C|D /path` line per change against the image.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Inspect changes to files or directories on a container's filesystem",
        usage: "cell diff CONTAINER")

    @Argument(help: "CONTAINER", completion: NameCompletion.containers(.all))
    var container: String

    func run() throws {
        let store = try GlobalOptions.containerStore()
        let changes = try DaemonError.reporting { try store.changes(of: container) }
        for change in changes { Output.line("\(change.kind.rawValue) \(change.path)") }
    }
}
