import ArgumentParser
import CellContainers
import CellCore
import CellFormat
import CellPresentation

struct PsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps",
        abstract: "List containers.",
        aliases: ["ls", "list"])

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
        let store = try GlobalOptions.containerStore()
        var containers = try ContainerReaper.listRemovingFinished(store)
        let filters = try ContainerFilter(filter)
        let showAll = all || latest || last >= 0 || filters.needsAll
        containers = containers.filter { (showAll || $0.isRunning) && filters.matches($0) }
        if latest { containers = Array(containers.prefix(1)) }
        if last >= 0 { containers = Array(containers.prefix(last)) }
        if quiet {
            containers.forEach { Output.line(noTrunc ? $0.id : $0.shortID) }
            return
        }
        let now = Timestamp.now()
        let rows = containers.map { ContainerListing.row($0, now: now, truncate: !noTrunc) }
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

/// `ps --filter`: status=, name=, id=, ancestor=, label=, exited=.
struct ContainerFilter {
    var statuses: [String] = []
    var names: [String] = []
    var ids: [String] = []
    var ancestors: [String] = []
    var labels: [String] = []
    var exitCodes: [Int32] = []

    init(_ filters: [String]) throws {
        for filter in filters {
            guard let equals = filter.firstIndex(of: "=") else {
                throw CellError.usage("invalid filter '\(filter)'")
            }
            let key = String(filter[..<equals]), value = String(filter[filter.index(after: equals)...])
            switch key {
            case "status":
                guard ["created", "restarting", "running", "removing", "paused", "exited", "dead"].contains(value) else {
                    throw CellError.usage("invalid filter 'status=\(value)'")
                }
                statuses.append(value)
            case "name": names.append(value)
            case "id": ids.append(value)
            case "ancestor": ancestors.append(value)
            case "label": labels.append(value)
            case "exited":
                guard let code = Int32(value) else { throw CellError.usage("invalid filter 'exited=\(value)'") }
                exitCodes.append(code)
            default:
                throw CellError.usage("invalid filter '\(key)'")
            }
        }
    }

    /// A status filter other than running, or exited=, looks at stopped containers too.
    var needsAll: Bool { statuses.contains { $0 != "running" } || !exitCodes.isEmpty }

    func matches(_ container: Container) -> Bool {
        if !statuses.isEmpty && !statuses.contains(container.status.name) { return false }
        if !names.isEmpty && !names.contains(where: { container.name.contains($0.hasPrefix("/") ? String($0.dropFirst()) : $0) }) { return false }
        if !ids.isEmpty && !ids.contains(where: { container.id.hasPrefix($0) }) { return false }
        if !ancestors.isEmpty && !ancestors.contains(where: { matchesAncestor(container, $0) }) { return false }
        if !labels.isEmpty {
            for label in labels {
                let parts = label.split(separator: "=", maxSplits: 1).map(String.init)
                guard let value = container.record.config.labels[parts[0]] else { return false }
                if parts.count == 2 && value != parts[1] { return false }
            }
        }
        if !exitCodes.isEmpty {
            guard case .exited(let code, _) = container.status, exitCodes.contains(code) else { return false }
        }
        return true
    }

    private func matchesAncestor(_ container: Container, _ ancestor: String) -> Bool {
        if container.record.image == ancestor { return true }
        if let id = try? GlobalOptions.imageStore().find(ancestor)?.id.description, id == container.record.imageID { return true }
        return container.record.imageID.dropFirst(7).hasPrefix(ancestor)
    }
}

/// Containers started with --rm go away once they have exited, even when no cell command was
/// waiting for them (a detached run, or a monitor that died).
enum ContainerReaper {
    static func listRemovingFinished(_ store: ContainerStore) throws -> [Container] {
        let lifecycle = ContainerLifecycle(store: store, monitorPath: GlobalOptions.monitorPath)
        var kept: [Container] = []
        for container in try store.list() {
            if container.record.hostConfig.autoRemove, case .exited = container.status {
                try? lifecycle.remove(container, force: false)
                continue
            }
            kept.append(container)
        }
        return kept
    }
}
