import ArgumentParser
import CellContainers
import CellCore
import CellFormat
import CellPresentation

/// `cell ps`; `cell container ls` (and its aliases) is the same listing.
struct PsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List containers.")

    @OptionGroup var listing: ContainerListingOptions

    func run() throws { try listing.run() }
}

struct ContainerListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List containers.", aliases: ["list", "ps"])

    @OptionGroup var listing: ContainerListingOptions

    func run() throws { try listing.run() }
}

/// `ps`'s flags and the listing they ask for.
struct ContainerListingOptions: ParsableArguments {
    @Flag(name: [.customShort("a"), .long], help: "Show all containers (default shows just running).")
    var all = false

    @Flag(name: [.customShort("l"), .long], help: "Show the latest created container (includes all states).")
    var latest = false

    @Option(name: [.customShort("n"), .customLong("last")], help: "Show n last created containers (includes all states).")
    var last: Int = -1

    @Flag(name: [.customShort("q"), .long], help: "Only display container IDs.")
    var quiet = false

    @Flag(name: .customLong("no-trunc"), help: "Don't truncate output.")
    var noTrunc = false

    @Flag(name: [.customShort("s"), .long], help: "Display total file sizes.")
    var size = false

    @Option(name: [.customShort("f"), .long], help: "Filter output based on conditions provided.")
    var filter: [String] = []

    @Option(help: "Format output using a Go template, or 'table', 'json'.")
    var format: String?

    func run() throws {
        var containers = try GlobalOptions.lifecycle().listReapingAutoRemoved(forShowing: true)
        let filters = try ContainerFilter(filter) { try? GlobalOptions.imageStore().find($0)?.id.description }
        let showAll = all || latest || last >= 0 || filters.needsAll
        containers.removeAll { !(showAll || $0.isRunning) || !filters.matches($0) }
        if latest { containers = Array(containers.prefix(1)) }
        if last >= 0 { containers = Array(containers.prefix(last)) }
        if quiet {
            containers.forEach { Output.line(noTrunc ? $0.id : $0.shortID) }
            return
        }
        let now = Timestamp.now()
        // The image sizes only when asked for: they take the image store.
        let images = size || (format ?? "").contains(".Size") ? try? GlobalOptions.imageStore() : nil
        // The writable layers are walked only when the output can show their sizes.
        let measuring = size || (format ?? "").contains("Size") || (format ?? "").contains("json")
        let rows = containers.map { container in
            let imageSize = images.flatMap { try? $0.find(container.record.imageID)?.size }
            return ContainerListing.row(container, now: now, truncate: !noTrunc, imageSize: imageSize, measuringSize: measuring)
        }
        var fallback = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedAt}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
        fallback = fallback.replacingCreatedAt()
        if size { fallback += "\t{{.Size}}" }
        try Listing.print(rows, format: format ?? fallback, headers: ContainerListing.headers)
    }
}

private extension String {
    /// The default table shows "CREATED" as a duration (docker's RunningFor).
    func replacingCreatedAt() -> String { replacing("{{.CreatedAt}}", with: "{{.RunningFor}}") }
}
