import ArgumentParser
import CellContainers

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Create and run a new container from an image.")

    @OptionGroup var flags: ContainerFlags

    @Flag(name: [.customShort("d"), .long], help: "Run container in background and print container ID.")
    var detach = false

    @Argument(help: "IMAGE", completion: NameCompletion.images)
    var image: String

    @Argument(parsing: .captureForPassthrough, help: "[COMMAND] [ARG...]")
    var command: [String] = []

    func run() throws {
        let runner = GlobalOptions.runner()
        let container = try flags.create(flags.options(image: image, command: command), with: runner)
        if detach {
            try runner.startDetached(container)
            Output.line(container.id)
            return
        }
        Output.flush()
        throw ExitCode(try runner.runAttached(container))
    }
}

struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a new container.")

    @OptionGroup var flags: ContainerFlags

    @Argument(help: "IMAGE", completion: NameCompletion.images)
    var image: String

    @Argument(parsing: .captureForPassthrough, help: "[COMMAND] [ARG...]")
    var command: [String] = []

    func run() throws {
        let options = try flags.options(image: image, command: command)
        Output.line(try flags.create(options, with: GlobalOptions.runner()).id)
    }
}
