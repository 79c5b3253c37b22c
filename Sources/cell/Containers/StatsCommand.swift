import ArgumentParser
import CellContainers
import CellCore
import CellFormat
import CellPresentation

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

    @Argument(help: "CONTAINER", completion: NameCompletion.containers(.running))
    var containers: [String] = []

    func run() throws {
        let store = try GlobalOptions.containerStore()
        let named = try containers.map { name in try DaemonError.reporting { (name, try store.resolve(name)) } }
        let format = format ?? "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"
        while true {
            let current: [(String, Container)] = named.isEmpty
                ? try store.list().filter { all || $0.isRunning }.map { ($0.shortID, $0) }
                : try named.map { ($0.0, try store.load(id: $0.1.id)) }
            let samples = ContainerStats.sample(current.map(\.1), interval: noStream ? 0.5 : 1.0)
            let rows = zip(current, samples).map { ContainerStatsListing.row($0.1, given: $0.0.0, truncate: !noTrunc) }
            if !noStream { print("\u{1B}[2J\u{1B}[H", terminator: "") }
            try Listing.print(rows, format: format, headers: ContainerStatsListing.headers)
            Output.flush()
            if noStream { return }
        }
    }
}
