import ArgumentParser
import CellContainers
import CellCore
import CellFormat
import CellImage
import CellPresentation

/// `cell network connect|create|disconnect|inspect|ls|prune|rm`.
struct NetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Manage networks.",
        subcommands: [NetworkConnectCommand.self, NetworkCreateCommand.self, NetworkDisconnectCommand.self, NetworkInspectCommand.self,
                      NetworkListCommand.self, NetworkPruneCommand.self, NetworkRemoveCommand.self])

    static func operations() throws -> NetworkOperations { try NetworkOperations(root: GlobalOptions.root) }

    /// `KEY=VALUE` words (`--label`, `--opt`) as a table; a bare key has the empty value.
    static func pairs(_ words: [String]) -> [String: String] {
        Dictionary(words.map { word in
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
        }, uniquingKeysWith: { $1 })
    }
}

struct NetworkCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a network.")

    @Option(name: [.customShort("d"), .long], help: "Driver to manage the Network (bridge).")
    var driver: String = "bridge"

    @Option(help: "Subnet in CIDR format that represents a network segment.")
    var subnet: [String] = []

    @Option(help: "IPv4 Gateway for the master subnet.")
    var gateway: [String] = []

    @Flag(help: "Restrict external access to the network.")
    var `internal` = false

    @Option(help: "Set metadata on a network.")
    var label: [String] = []

    @Option(name: [.customShort("o"), .long], help: "Set driver specific options.")
    var opt: [String] = []

    @Flag(help: "Enable manual container attachment (accepted; every network here is).")
    var attachable = false

    @Flag(help: "Enable or disable IPv6 networking (not supported).")
    var ipv6 = false

    @Argument(help: "NETWORK")
    var name: String

    func run() throws {
        guard driver == "bridge" else {
            throw DaemonError(CellError.notFound("plugin \"\(driver)\" not found"))
        }
        if ipv6 { throw DaemonError(CellError.invalidInput("IPv6 networks are not supported by cell yet")) }
        if subnet.count > 1 || gateway.count > 1 {
            throw DaemonError(CellError.invalidInput("a network has one IPv4 subnet and one gateway in cell"))
        }
        let operations = try NetworkCommand.operations()
        let network = try DaemonError.reporting {
            try operations.networks.create(name, subnet: subnet.first, gateway: gateway.first, isInternal: `internal`,
                                           labels: NetworkCommand.pairs(label), options: NetworkCommand.pairs(opt))
        }
        Output.line(network.id)
    }
}

struct NetworkListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List networks.", aliases: ["list"])

    @Option(name: [.customShort("f"), .long], help: "Provide filter values (e.g. \"driver=bridge\").")
    var filter: [String] = []

    @Option(help: "Format output using a custom template ('table', 'table TEMPLATE', 'json', 'TEMPLATE').")
    var format: String?

    @Flag(help: "Do not truncate the output.")
    var noTrunc = false

    @Flag(name: [.customShort("q"), .long], help: "Only display network IDs.")
    var quiet = false

    func run() throws {
        let operations = try NetworkCommand.operations()
        let pairs = try FilterFlag.pairs(filter)
        let networks = try DaemonError.reporting { try operations.list(NetworkFilter(pairs)) }
        if quiet {
            networks.forEach { Output.line(noTrunc ? $0.id : String($0.id.prefix(12))) }
            return
        }
        let rows = networks.map { NetworkViews.row($0, truncate: !noTrunc) }
        try Listing.print(rows, format: format.map { $0 == "table" ? NetworkViews.defaultRowFormat : $0 } ?? NetworkViews.defaultRowFormat,
                          headers: NetworkViews.rowHeaders)
    }
}

struct NetworkInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on one or more networks.")

    @Option(name: [.customShort("f"), .long], help: "Format output using a Go template, or 'json'.")
    var format: String?

    @Flag(name: [.customShort("v"), .long], help: "Verbose output for diagnostics (no more than without it here).")
    var verbose = false

    @Argument(help: "NETWORK...")
    var names: [String] = []

    func validate() throws {
        if names.isEmpty { throw ValidationError("\"inspect\" requires at least 1 argument.") }
    }

    func run() throws {
        let operations = try NetworkCommand.operations()
        let members = try operations.members()
        try Inspection.print(names, format: format) { name in
            try DaemonError.reporting { try operations.networks.find(name) }.map { NetworkViews.inspection($0, members: members[$0.name] ?? []) }
        } notFound: { "network \($0) not found" }
    }
}

struct NetworkRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more networks.", aliases: ["remove"])

    @Flag(name: [.customShort("f"), .long], help: "Do not error if the network does not exist.")
    var force = false

    @Argument(help: "NETWORK...")
    var names: [String] = []

    func validate() throws {
        if names.isEmpty { throw ValidationError("\"rm\" requires at least 1 argument.") }
    }

    func run() throws {
        let operations = try NetworkCommand.operations()
        var failed = false
        for name in names {
            do {
                _ = try operations.remove(name)
                Output.line(name)
            } catch let error as CellError {
                if force && error.kind == .notFound { continue }
                Output.error("Error response from daemon: \(error.message)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

struct NetworkPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all unused networks.")

    @Option(help: "Provide filter values (e.g. \"label=<label>\").")
    var filter: [String] = []

    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation.")
    var force = false

    func run() throws {
        // Docker's prune keys: label, label! and until.
        let pruneFilter = try DaemonError.reporting { try PruneFilter(FilterFlag.pairs(filter), for: .containers) }
        if !force {
            guard Prompt.confirm("WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ") else {
                return
            }
        }
        let operations = try NetworkCommand.operations()
        let removed = try DaemonError.reporting {
            try operations.prune { pruneFilter.admits(created: Timestamp(rfc3339: $0.created), labels: $0.labels) }
        }
        if !removed.isEmpty {
            Output.line("Deleted Networks:")
            removed.forEach { Output.line($0.name) }
        }
    }
}

struct NetworkConnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "connect", abstract: "Connect a container to a network.")

    @Option(help: "Add network-scoped alias for the container.")
    var alias: [String] = []

    @Option(help: "IPv4 address (e.g., \"172.30.100.104\").")
    var ip: String?

    @Argument(help: "NETWORK")
    var network: String

    @Argument(help: "CONTAINER")
    var container: String

    func run() throws {
        let operations = try NetworkCommand.operations()
        try DaemonError.reporting { try operations.connect(network, container, aliases: alias, ipAddress: ip) }
    }
}

struct NetworkDisconnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disconnect", abstract: "Disconnect a container from a network.")

    @Flag(name: [.customShort("f"), .long], help: "Force the container to disconnect from a network.")
    var force = false

    @Argument(help: "NETWORK")
    var network: String

    @Argument(help: "CONTAINER")
    var container: String

    func run() throws {
        let operations = try NetworkCommand.operations()
        try DaemonError.reporting { try operations.disconnect(network, container, force: force) }
    }
}
