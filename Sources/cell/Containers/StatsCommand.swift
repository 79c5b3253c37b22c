import ArgumentParser
import CellContainers
import CellCore
import CellFormat

/// `docker stats`: CPU, memory, network, block I/O and processes of running containers.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Display a live stream of container(s) resource usage statistics.")

    @Flag(name: [.customShort("a"), .long], help: "Show all containers (default shows just running).")
    var all = false

    @Flag(name: .customLong("no-stream"), help: "Disable streaming stats and only pull the first result.")
    var noStream = false

    @Flag(name: .customLong("no-trunc"), help: "Do not truncate output.")
    var noTrunc = false

    @Option(help: "Format output using a Go template, or 'table', 'json'.")
    var format: String?

    @Argument(help: "CONTAINER")
    var containers: [String] = []

    static let headers: [String: String] = [
        "ID": "CONTAINER ID", "Container": "CONTAINER", "Name": "NAME", "CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT",
        "MemPerc": "MEM %", "NetIO": "NET I/O", "BlockIO": "BLOCK I/O", "PIDs": "PIDS",
    ]

    func run() throws {
        let store = try GlobalOptions.containerStore()
        let named = try containers.map { name in try DaemonError.reporting { (name, try store.resolve(name)) } }
        let format = format ?? "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"
        while true {
            let current: [(String, Container)] = named.isEmpty
                ? try store.list().filter { all || $0.isRunning }.map { ($0.shortID, $0) }
                : try named.map { ($0.0, try store.load(id: $0.1.id)) }
            let samples = ContainerStats.sample(current.map(\.1), interval: noStream ? 0.5 : 1.0)
            let rows = zip(current, samples).map { StatsCommand.row($0.1, given: $0.0.0, truncate: !noTrunc) }
            if !noStream { print("\u{1B}[2J\u{1B}[H", terminator: "") }
            try Listing.print(rows, format: format, headers: StatsCommand.headers)
            Output.flush()
            if noStream { return }
        }
    }

    static func row(_ stats: ContainerStats, given: String, truncate: Bool) -> JSONValue {
        let usage = stats.current
        let running = stats.container.isRunning
        func pair(_ a: UInt64, _ b: UInt64) -> String {
            "\(HumanUnits.size(Int64(a))) / \(HumanUnits.size(Int64(b)))"
        }
        // --cgroups=disabled: nothing counts its CPU, memory or block I/O; "--", as podman shows
        // what it cannot read.
        func measured(_ text: @autoclosure () -> String, else idle: String) -> String {
            !running ? idle : stats.hasCgroup ? text() : "--"
        }
        return .object([
            ("BlockIO", .string(measured(pair(usage.blockRead, usage.blockWritten), else: "0B / 0B"))),
            ("CPUPerc", .string(measured(HumanUnits.percent(stats.cpuPercent), else: "0.00%"))),
            ("Container", .string(given)),
            ("ID", .string(truncate ? stats.container.shortID : stats.container.id)),
            ("MemPerc", .string(measured(HumanUnits.percent(stats.memoryPercent), else: "0.00%"))),
            ("MemUsage", .string(measured("\(HumanUnits.binarySize(Int64(usage.memoryUsage))) / \(HumanUnits.binarySize(Int64(usage.memoryLimit)))", else: "0B / 0B"))),
            ("Name", .string(stats.container.name)),
            ("NetIO", .string(running ? pair(usage.networkReceived, usage.networkSent) : "0B / 0B")),
            ("PIDs", .string(String(running ? usage.pids : 0))),
        ])
    }
}
