import ArgumentParser
import CellBuild
import CellContainers
import CellCore
import CellFormat
import CellImage

/// `cell system prune [-a] [-f] [--filter KEY=VALUE]`: stopped containers, unused networks,
/// dangling (with -a: unused) images and the build cache, each through its own prune, reported as docker reports
/// them. The Docker client composes this verb from the same separate prunes; so does cell.
struct SystemPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unused data.")

    @Flag(name: [.customShort("a"), .long], help: "Remove all unused images not just dangling ones.")
    var all = false

    @Option(help: "Provide filter values (e.g. \"label=<key>=<value>\").")
    var filter: [String] = []

    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation.")
    var force = false

    @Flag(help: "Prune anonymous volumes.")
    var volumes = false

    func run() throws {
        let filters = try FilterFlag.pairs(filter)
        if !force {
            let warnings = [
                "all stopped containers", "all networks not used by at least one container",
                volumes ? "all anonymous volumes not used by at least one container" : nil,
                all ? "all images without at least one container associated to them" : "all dangling images",
                all ? "all build cache" : "unused build cache",
            ].compactMap { $0 }
            var message = "WARNING! This will remove:\n" + warnings.map { "  - \($0)\n" }.joined()
            let shown = Self.shownFilters(filters)
            if !shown.isEmpty {
                message += "\n  Items to be pruned will be filtered with:\n" + shown.map { "  - \($0)\n" }.joined()
            }
            // docker: a refusal removes nothing and still exits 0.
            guard Prompt.confirm(message + "\nAre you sure you want to continue? [y/N] ") else { return }
        }
        // Docker's container prune, the first, judges the filters (so `dangling` is refused here);
        // the same filter then chooses images and build cache entries.
        let pruneFilter = try DaemonError.reporting { try PruneFilter(filters, for: .containers) }
        let (containers, containerBytes) = try GlobalOptions.lifecycle().pruneStopped(filter: pruneFilter)
        let networks = try DaemonError.reporting {
            try NetworkCommand.operations().prune { pruneFilter.admits(created: Timestamp(rfc3339: $0.created), labels: $0.labels) }
        }
        // After the containers, whose removal may leave volumes unused (Docker's order).
        let (prunedVolumes, volumeBytes) = volumes
            ? try DaemonError.reporting { try VolumeOperations(root: GlobalOptions.root).prune(all: false) { pruneFilter.admits(created: Timestamp(rfc3339: $0.createdAt), labels: $0.labels) } }
            : ([], 0)
        let images = try GlobalOptions.imageStore()
        // The cache's entries go before the images' collection, which then takes the layers only they held.
        let (cacheObjects, cacheBytes) = try BuildCacheUsage.prune(images: images, filter: pruneFilter)
        let (events, reclaimed) = try images.prune(all: all, filter: pruneFilter, users: try GlobalOptions.containerStore().imageUsers)
        ContainerPruneCommand.report(containers)
        if !networks.isEmpty {
            Output.line("Deleted Networks:")
            networks.forEach { Output.line($0.name) }
            Output.line("")
        }
        if !prunedVolumes.isEmpty {
            Output.line("Deleted Volumes:")
            prunedVolumes.forEach { Output.line($0) }
            Output.line("")
        }
        ImagePruneCommand.report(events)
        if !cacheObjects.isEmpty {
            Output.line("Deleted build cache objects:")
            cacheObjects.forEach { Output.line($0) }
            Output.line("")
        }
        Output.line("Total reclaimed space: \(HumanUnits.size(containerBytes + volumeBytes + reclaimed.bytes + cacheBytes, precision: 4))")
    }

    /// The filters Docker's warning lists: label, label! and until ones, each once, in the CLI's
    /// natural order (`label=v9` before `label=v10`).
    static func shownFilters(_ filters: [(key: String, value: String)]) -> [String] {
        let shown = Set(filters.filter { ["label", "label!", "until"].contains($0.key) }.map { "\($0.key)=\($0.value)" })
        return shown.sorted(by: NaturalOrder.isLess)
    }
}
