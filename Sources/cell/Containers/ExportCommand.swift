import ArgumentParser
import CellContainers
import CellCore

/// `docker export [-o FILE] CONTAINER`: the container's file system as a tar archive.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a container's filesystem as a tar archive",
        usage: "cell export [OPTIONS] CONTAINER")

    @Option(name: [.customShort("o"), .long], help: "Write to a file, instead of STDOUT", completion: .file())
    var output: String?

    @Argument(help: "CONTAINER", completion: NameCompletion.containers(.all))
    var container: String

    func run() throws {
        let store = try GlobalOptions.containerStore()
        try ArchiveOutput.write(to: output) { fd, _ in
            try DaemonError.reporting { try store.export(container, to: fd) }
        }
    }
}
