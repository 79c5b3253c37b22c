#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellContainers
import CellCore
import CellImage
import CellPresentation

/// Runs `body` for each named container as docker does: an error is printed and the rest go on;
/// the exit status is 1 when any failed.
enum EachContainer {
    static func run(_ names: [String], _ body: (Container, String) throws -> Void) throws {
        let store = try GlobalOptions.containerStore()
        var failed = false
        for name in names {
            do {
                try body(try store.resolve(name), name)
            } catch let error as CellError {
                Output.error("Error response from daemon: \(error.message)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop one or more running containers.")

    @Option(name: [.customShort("t"), .customLong("time"), .customLong("timeout")], help: "Seconds to wait before killing the container.")
    var time: Int?

    @Option(name: [.customShort("s"), .long], help: "Signal to send to the container.")
    var signal: String?

    @Argument(help: "CONTAINER...", completion: NameCompletion.containers(.running))
    var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"stop\" requires at least 1 argument.") }
    }

    func run() throws {
        let lifecycle = try GlobalOptions.lifecycle()
        try EachContainer.run(containers) { container, name in
            try lifecycle.stop(container, timeout: time, signal: signal)
            Output.line(name)
        }
    }
}

struct KillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Kill one or more running containers.")

    @Option(name: [.customShort("s"), .long], help: "Signal to send to the container.")
    var signal: String = "KILL"

    @Argument(help: "CONTAINER...", completion: NameCompletion.containers(.running))
    var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"kill\" requires at least 1 argument.") }
    }

    func run() throws {
        let number = try SignalName.parse(signal)
        let lifecycle = try GlobalOptions.lifecycle()
        try EachContainer.run(containers) { container, name in
            try lifecycle.kill(container, signal: number)
            Output.line(name)
        }
    }
}

struct RmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more containers.")

    @Flag(name: [.customShort("f"), .long], help: "Force the removal of a running container (uses SIGKILL).")
    var force = false

    @Flag(name: [.customShort("v"), .long], help: "Remove anonymous volumes associated with the container.")
    var volumes = false

    @Flag(name: [.customShort("l"), .long], help: "Remove the specified link (not supported).")
    var link = false

    @Argument(help: "CONTAINER...", completion: NameCompletion.containers(.removable))
    var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"rm\" requires at least 1 argument.") }
    }

    func run() throws {
        let lifecycle = try GlobalOptions.lifecycle()
        try EachContainer.run(containers) { container, name in
            try lifecycle.remove(container, force: force, volumes: volumes)
            Output.line(name)
        }
    }
}

struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start one or more stopped containers.")

    @Flag(name: [.customShort("a"), .long], help: "Attach STDOUT/STDERR and forward signals.")
    var attach = false

    @Flag(name: [.customShort("i"), .long], help: "Attach container's STDIN.")
    var interactive = false

    @Option(name: .customLong("detach-keys"), help: "Override the key sequence for detaching a container.")
    var detachKeys: String?

    @Argument(help: "CONTAINER...", completion: NameCompletion.containers(.stopped))
    var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"start\" requires at least 1 argument.") }
        if (attach || interactive) && containers.count > 1 {
            throw ValidationError("you cannot start and attach multiple containers at once")
        }
    }

    func run() throws {
        let lifecycle = try GlobalOptions.lifecycle()
        if attach || interactive {
            let keys = try DaemonError.reporting { try DetachKeys(parsing: detachKeys ?? "") }
            let container = try GlobalOptions.containerStore().resolve(containers[0])
            Output.flush()
            guard let outcome = try lifecycle.startAttached(container, interactive: interactive,
                                                            attachment: Attachment(detachKeys: keys)) else {
                throw CellError.conflict("container \(containers[0]) is already running")
            }
            if case .exited(let status) = outcome { throw ExitCode(status) }
            return
        }
        try EachContainer.run(containers) { container, name in
            try lifecycle.start(container)
            Output.line(name)
        }
    }
}

struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart one or more containers.")

    @Option(name: [.customShort("t"), .customLong("time"), .customLong("timeout")], help: "Seconds to wait before killing the container.")
    var time: Int?

    @Argument(help: "CONTAINER...", completion: NameCompletion.containers(.all))
    var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"restart\" requires at least 1 argument.") }
    }

    func run() throws {
        let lifecycle = try GlobalOptions.lifecycle()
        try EachContainer.run(containers) { container, name in
            try lifecycle.restart(container, timeout: time)
            Output.line(name)
        }
    }
}

struct WaitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wait", abstract: "Block until one or more containers stop, then print their exit codes.")

    @Argument(help: "CONTAINER...", completion: NameCompletion.containers(.all))
    var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"wait\" requires at least 1 argument.") }
    }

    func run() throws {
        let lifecycle = try GlobalOptions.lifecycle()
        try EachContainer.run(containers) { container, _ in
            Output.line(String(try lifecycle.wait(container)))
        }
    }
}

struct PortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "port", abstract: "List port mappings or a specific mapping for the container.")

    @Argument(help: "CONTAINER", completion: NameCompletion.containers(.all))
    var container: String

    @Argument(help: "PRIVATE_PORT[/PROTO]")
    var privatePort: String?

    func run() throws {
        let container = try GlobalOptions.containerStore().resolve(container)
        let ports = container.publishedPorts
        if let privatePort {
            let parts = privatePort.split(separator: "/")
            let proto = parts.count > 1 ? String(parts[1]) : "tcp"
            let addresses = UInt16(parts.first ?? "").map { PortListing.addresses(ports, containerPort: $0, proto: proto) } ?? []
            guard !addresses.isEmpty else {
                throw CellError.notFound("No public port '\(parts.first ?? "")/\(proto)' published for \(container.name)")
            }
            addresses.forEach(Output.line)
            return
        }
        PortListing.lines(ports).forEach(Output.line)
    }
}

struct ContainerPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all stopped containers.")

    @Option(help: "Provide filter values (e.g. \"until=<timestamp>\").")
    var filter: [String] = []

    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation.")
    var force = false

    func run() throws {
        let filters = try FilterFlag.pairs(filter)
        if !force {
            guard Prompt.confirm("WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ") else { return }
        }
        // As Docker's daemon, after the prompt: the filter's keys and values are the engine's to judge.
        let (deleted, reclaimed) = try DaemonError.reporting {
            try GlobalOptions.lifecycle().pruneStopped(filter: try PruneFilter(filters, for: .containers))
        }
        Self.report(deleted)
        Output.line("Total reclaimed space: \(Presentation.humanSize(reclaimed))")
    }
}

extension ContainerPruneCommand {
    /// docker's "Deleted Containers:" section, with the blank line after it; nothing when none went.
    static func report(_ deleted: [String]) {
        guard !deleted.isEmpty else { return }
        Output.line("Deleted Containers:")
        deleted.forEach { Output.line($0) }
        Output.line("")
    }
}

struct ContainerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "container",
        abstract: "Manage containers.",
        subcommands: [
            ContainerListCommand.self, RunCommand.self, CreateCommand.self, StartCommand.self, StopCommand.self,
            RestartCommand.self, KillCommand.self, PauseCommand.self, UnpauseCommand.self, RmCommand.self, WaitCommand.self, LogsCommand.self,
            PortCommand.self, ExecCommand.self, AttachCommand.self, CopyCommand.self, TopCommand.self,
            ContainerInspectCommand.self, ContainerPruneCommand.self, RenameCommand.self, DiffCommand.self, ExportCommand.self,
        ])
}
