#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellContainers
import CellCore
import CellRuntime

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Create and run a new container from an image.")

    @OptionGroup var flags: ContainerFlags

    @Flag(name: [.customShort("d"), .long], help: "Run container in background and print container ID.")
    var detach = false

    @Argument(help: "IMAGE")
    var image: String

    @Argument(parsing: .captureForPassthrough, help: "[COMMAND] [ARG...]")
    var command: [String] = []

    func run() throws {
        let container = try ContainerRunner.create(flags.options(image: image, command: command))
        let lifecycle = try GlobalOptions.lifecycle()
        if detach {
            do {
                try ContainerRunner.asRunError { try lifecycle.start(container) }
            } catch {
                if flags.autoRemove { try? lifecycle.remove(container, force: true) }
                throw error
            }
            Output.line(container.id)
            return
        }
        Output.flush()
        let status: Int32
        do {
            guard let started = try ContainerRunner.asRunError({
                try lifecycle.start(container, attach: true, interactive: flags.interactive)
            }) else {
                throw CellError(.setup, "container \(container.shortID) is already running")
            }
            status = ContainerLauncher.waitForExit(started)
        } catch {
            if flags.autoRemove { try? lifecycle.remove(container, force: true) }
            throw error
        }
        // --rm: the monitor removed the container as it exited (unless that failed).
        if flags.autoRemove, let left = try? lifecycle.store.find(container.id) { try? lifecycle.remove(left, force: true) }
        throw ExitCode(status)
    }
}

struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a new container.")

    @OptionGroup var flags: ContainerFlags

    @Argument(help: "IMAGE")
    var image: String

    @Argument(parsing: .captureForPassthrough, help: "[COMMAND] [ARG...]")
    var command: [String] = []

    func run() throws {
        Output.line(try ContainerRunner.create(flags.options(image: image, command: command)).id)
    }
}

enum ContainerRunner {
    static func create(_ options: RunOptions) throws -> Container {
        try asRunError {
            let creator = ContainerCreator(images: try GlobalOptions.imageStore(), containers: try GlobalOptions.containerStore(),
                                           initBinary: GlobalOptions.initPath)
            return try creator.create(options) { Output.error("WARNING: \($0)") }
        }
    }

    /// docker run and create exit 125 for every failure of their own (a name in use, a missing
    /// image, a bad flag); only a command that cannot run keeps 126 or 127.
    @discardableResult
    static func asRunError<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CellError {
            switch error.kind {
            case .commandNotFound, .commandNotExecutable, .usage, .setup: throw error
            default: throw CellError(.setup, error.message)
            }
        }
    }
}
