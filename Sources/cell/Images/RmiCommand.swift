import ArgumentParser
import CellCore
import CellImage

/// `cell rmi`; `cell image rm` (and `remove`) is the same removal.
struct RmiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rmi", abstract: "Remove one or more images.")

    @OptionGroup var removal: ImageRemovalOptions

    func run() throws { try removal.run() }
}

struct ImageRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more images.", aliases: ["remove", "rmi"])

    @OptionGroup var removal: ImageRemovalOptions

    func run() throws { try removal.run() }
}

/// `rmi`'s flags and arguments and the removal they ask for.
struct ImageRemovalOptions: ParsableArguments {
    @Flag(name: [.customShort("f"), .long], help: "Force removal of the image.")
    var force = false

    @Flag(name: .customLong("no-prune"), help: "Do not delete untagged parents.")
    var noPrune = false

    @Argument(help: "IMAGE...", completion: NameCompletion.images)
    var images: [String] = []

    func validate() throws {
        if images.isEmpty { throw ValidationError("\"rmi\" requires at least 1 argument.") }
    }

    func run() throws {
        let store = try GlobalOptions.imageStore()
        let containers = try GlobalOptions.containerStore()
        var failure: CellError?
        for image in images {
            do {
                for event in try store.remove(image, force: force, users: containers.imageUsers) {
                    switch event {
                    case .untagged(let name): Output.line("Untagged: \(name)")
                    case .deleted(let id): Output.line("Deleted: \(id)")
                    }
                }
            } catch let error as CellError {
                // Like docker: report each failure, go on with the rest, exit non-zero at the end.
                Output.error("Error: \(error.message)")
                failure = error
            }
        }
        if let failure { throw ExitCode(failure.exitCode) }
    }
}
