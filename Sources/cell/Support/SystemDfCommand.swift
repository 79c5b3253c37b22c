import ArgumentParser
import CellBuild
import CellContainers
import CellCore
import CellFormat
import CellPresentation

/// `cell system df [-v] [--format]`: disk usage by kind in docker's table, or item by item.
struct SystemDfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "df", abstract: "Show cell disk usage.")

    @Flag(name: [.customShort("v"), .long], help: "Show detailed information on space usage.")
    var verbose = false

    @Option(help: "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or 'TEMPLATE'.")
    var format: String?

    func run() throws {
        let images = try GlobalOptions.imageStore()
        let usage = try DiskUsage(containers: try GlobalOptions.lifecycle().listReapingAutoRemoved(), images: images)
        let cache = try BuildCacheUsage(images: images)
        let now = Timestamp.now()
        guard verbose else {
            var format = format ?? "table"
            if format == "table" { format = DiskUsageListing.defaultFormat }
            try Listing.print(DiskUsageListing.rows(usage, buildCache: cache), format: format, headers: DiskUsageListing.headers)
            return
        }
        if let format, format != "table" {
            // A template over the whole (docker's diskUsageContext): the four lists.
            let document: JSONValue = .object([
                ("Images", .array(DiskUsageListing.imageRows(usage, now: now))),
                ("Containers", .array(DiskUsageListing.containerRows(usage, now: now))),
                ("Volumes", .array(DiskUsageListing.volumeRows(usage))),
                ("BuildCache", .array(DiskUsageListing.buildCacheRows(cache, now: now))),
            ])
            try DocumentFormat.print(document, format: format)
            return
        }
        Output.line("Images space usage:\n")
        try Listing.print(DiskUsageListing.imageRows(usage, now: now), format: DiskUsageListing.imagesFormat, headers: ImageRow.headers)
        Output.line("\nContainers space usage:\n")
        try Listing.print(DiskUsageListing.containerRows(usage, now: now), format: DiskUsageListing.containersFormat,
                          headers: ContainerListing.headers)
        Output.line("\nLocal Volumes space usage:\n")
        try Listing.print(DiskUsageListing.volumeRows(usage), format: DiskUsageListing.volumesFormat, headers: DiskUsageListing.volumesHeaders)
        Output.line("\nBuild cache usage: \(HumanUnits.size(cache.size, precision: 4))\n")
        try Listing.print(DiskUsageListing.buildCacheRows(cache, now: now), format: DiskUsageListing.buildCacheFormat,
                          headers: DiskUsageListing.buildCacheHeaders)
    }
}
