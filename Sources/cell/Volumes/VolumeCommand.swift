import ArgumentParser
import CellContainers
import CellCore
import CellFormat
import CellImage
import CellPresentation

/// `cell volume create|ls|inspect|rm|prune`.
struct VolumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume",
        abstract: "Manage volumes.",
        subcommands: [VolumeCreateCommand.self, VolumeListCommand.self, VolumeInspectCommand.self,
                      VolumeRemoveCommand.self, VolumePruneCommand.self])

    static func operations() throws -> VolumeOperations { try VolumeOperations(root: GlobalOptions.root) }
}

struct VolumeCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a volume.")

    @Option(name: [.customShort("d"), .long], help: "Specify volume driver name (local).")
    var driver: String = "local"

    @Option(help: "Set metadata for a volume.")
    var label: [String] = []

    @Option(name: [.customShort("o"), .customLong("opt")], help: "Set driver specific options (type=tmpfs, or type=none,o=bind,device=/path).")
    var opt: [String] = []

    @Argument(help: "VOLUME")
    var name: String?

    func run() throws {
        guard driver == "local" else {
            throw DaemonError(CellError.notFound("create \(name ?? ""): error looking up volume plugin \(driver): plugin \"\(driver)\" not found"))
        }
        let labels = Dictionary(label.map(VolumeCreateCommand.pair), uniquingKeysWith: { $1 })
        let options = Dictionary(try opt.map { entry -> (String, String) in
            guard entry.contains("=") else { throw CellError.usage("invalid argument \"\(entry)\" for \"-o, --opt\" flag: invalid key/value pair format in driver options") }
            return VolumeCreateCommand.pair(entry)
        }, uniquingKeysWith: { $1 })
        let operations = try VolumeCommand.operations()
        let (volume, _) = try DaemonError.reporting { try operations.volumes.create(name, labels: labels, options: options) }
        Output.line(volume.name)
    }

    static func pair(_ text: String) -> (String, String) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        return (parts[0], parts.count > 1 ? parts[1] : "")
    }
}

struct VolumeListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List volumes.", aliases: ["list"])

    @Option(name: [.customShort("f"), .long], help: "Provide filter values (dangling=true|false, name=, label=, driver=).")
    var filter: [String] = []

    @Option(help: "Format output using a custom template ('table', 'table TEMPLATE', 'json', 'TEMPLATE').")
    var format: String?

    @Flag(name: [.customShort("q"), .long], help: "Only display volume names.")
    var quiet = false

    func run() throws {
        let operations = try VolumeCommand.operations()
        let users = try operations.users()
        let admitted = try DaemonError.reporting { try VolumeFilter(FilterFlag.pairs(filter)) }
        let volumes = try operations.volumes.list().filter { admitted.admits($0, users: users[$0.name]?.count ?? 0) }
        if quiet {
            volumes.forEach { Output.line($0.name) }
            return
        }
        let rows = volumes.map { VolumeViews.row($0, mountpoint: operations.volumes.dataDirectory(of: $0.name), users: users[$0.name]?.count ?? 0) }
        try Listing.print(rows, format: format.map { $0 == "table" ? "table {{.Driver}}\t{{.Name}}" : $0 } ?? "table {{.Driver}}\t{{.Name}}",
                          headers: VolumeViews.rowHeaders)
    }
}

struct VolumeInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on one or more volumes.")

    @Option(name: [.customShort("f"), .long], help: "Format output using a Go template, or 'json'.")
    var format: String?

    @Argument(help: "VOLUME...")
    var names: [String] = []

    func validate() throws {
        if names.isEmpty { throw ValidationError("\"inspect\" requires at least 1 argument.") }
    }

    func run() throws {
        let operations = try VolumeCommand.operations()
        try Inspection.print(names, format: format) { name in
            try operations.volumes.find(name).map { VolumeViews.inspection($0, mountpoint: operations.volumes.dataDirectory(of: $0.name)) }
        } notFound: { "get \($0): no such volume" }
    }
}

struct VolumeRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more volumes.", aliases: ["remove"])

    @Flag(name: [.customShort("f"), .long], help: "Force the removal of one or more volumes.")
    var force = false

    @Argument(help: "VOLUME...")
    var names: [String] = []

    func validate() throws {
        if names.isEmpty { throw ValidationError("\"rm\" requires at least 1 argument.") }
    }

    func run() throws {
        let operations = try VolumeCommand.operations()
        var failed = false
        for name in names {
            do {
                try operations.remove(name, force: force)
                Output.line(name)
            } catch let error as CellError {
                Output.error("Error response from daemon: \(error.message)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

struct VolumePruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unused local volumes.")

    @Flag(name: [.customShort("a"), .long], help: "Remove all unused volumes, not just anonymous ones.")
    var all = false

    @Option(help: "Provide filter values (e.g. \"label=<label>\").")
    var filter: [String] = []

    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation.")
    var force = false

    func run() throws {
        let pairs = try FilterFlag.pairs(filter)
        let allByFilter = pairs.contains { $0.key == "all" && ["true", "1"].contains($0.value) }
        if !force {
            let what = all || allByFilter ? "all local volumes" : "anonymous local volumes"
            guard Prompt.confirm("WARNING! This will remove \(what) not used by at least one container.\nAre you sure you want to continue? [y/N] ") else {
                return
            }
        }
        let operations = try VolumeCommand.operations()
        let (removed, bytes) = try DaemonError.reporting {
            try operations.prune(all: all, filters: pairs)
        }
        if !removed.isEmpty {
            Output.line("Deleted Volumes:")
            removed.forEach { Output.line($0) }
            Output.line("")
        }
        Output.line("Total reclaimed space: \(Presentation.humanSize(bytes))")
    }
}
