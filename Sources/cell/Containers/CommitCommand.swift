import ArgumentParser
import CellContainers
import CellCore
import CellImage

/// `docker commit`: a container's changes as a new image.
struct CommitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commit",
        abstract: "Create a new image from a container's changes.",
        usage: "cell commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]")

    @Option(name: [.customShort("a"), .long], help: "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\").")
    var author: String?

    @Option(name: [.customShort("c"), .long], help: "Apply Dockerfile instruction to the created image.")
    var change: [String] = []

    @Option(name: [.customShort("m"), .long], help: "Commit message.")
    var message: String?

    @Flag(name: [.customShort("p"), .long], inversion: .prefixedNo, help: "Pause container during commit.")
    var pause = true

    @Argument(help: "CONTAINER", completion: NameCompletion.containers(.all))
    var container: String

    @Argument(help: "REPOSITORY[:TAG]")
    var reference: String?

    func run() throws {
        let names = try reference.map { [try ImageReference(parsing: $0)] } ?? []
        let store = try GlobalOptions.containerStore()
        let found = try DaemonError.reporting { try store.resolve(container) }
        let id = try store.commit(found, images: GlobalOptions.imageStore, changes: change, message: message,
                                  author: author, names: names, pause: pause)
        Output.line(id.description)
    }
}
