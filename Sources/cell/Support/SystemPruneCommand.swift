import ArgumentParser
import CellBuild
import CellCore
import CellFormat

/// `cell system prune [-a] [-f]`: stopped containers, dangling (with -a: unused) images and the
/// build cache, each through its own prune, reported as docker reports them. The Docker client
/// composes this verb from the same separate prunes; so does cell.
struct SystemPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unused data.")

    @Flag(name: [.customShort("a"), .long], help: "Remove all unused images not just dangling ones.")
    var all = false

    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation.")
    var force = false

    func run() throws {
        if !force {
            let warnings = [
                "all stopped containers", "all networks not used by at least one container",
                all ? "all images without at least one container associated to them" : "all dangling images",
                all ? "all build cache" : "unused build cache",
            ]
            let message = "WARNING! This will remove:\n" + warnings.map { "  - \($0)\n" }.joined()
            // docker: a refusal removes nothing and still exits 0.
            guard Prompt.confirm(message + "\nAre you sure you want to continue? [y/N] ") else { return }
        }
        let (containers, containerBytes) = try GlobalOptions.lifecycle().pruneStopped()
        let images = try GlobalOptions.imageStore()
        // The cache's entries go before the images' collection, which then takes the layers only they held.
        let (cacheObjects, cacheBytes) = try BuildCacheUsage.prune(images: images)
        let (events, reclaimed) = try images.prune(all: all, users: try GlobalOptions.containerStore().imageUsers)
        ContainerPruneCommand.report(containers)
        ImagePruneCommand.report(events)
        if !cacheObjects.isEmpty {
            Output.line("Deleted build cache objects:")
            cacheObjects.forEach { Output.line($0) }
            Output.line("")
        }
        Output.line("Total reclaimed space: \(HumanUnits.size(containerBytes + reclaimed.bytes + cacheBytes, precision: 4))")
    }
}
