import ArgumentParser
import CellContainers

struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause all processes within one or more containers.")

    @Argument(help: "CONTAINER...", completion: NameCompletion.containers(.running))
    var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"pause\" requires at least 1 argument.") }
    }

    func run() throws {
        let lifecycle = try GlobalOptions.lifecycle()
        try EachContainer.run(containers) { container, name in
            try lifecycle.pause(container)
            Output.line(name)
        }
    }
}

struct UnpauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unpause", abstract: "Unpause all processes within one or more containers.")

    @Argument(help: "CONTAINER...", completion: NameCompletion.containers(.running))
    var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"unpause\" requires at least 1 argument.") }
    }

    func run() throws {
        let lifecycle = try GlobalOptions.lifecycle()
        try EachContainer.run(containers) { container, name in
            try lifecycle.unpause(container)
            Output.line(name)
        }
    }
}
