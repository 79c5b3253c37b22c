import ArgumentParser
import CellCore
import CellFormat
import CellImage
import CellPresentation

/// `cell images`; `cell image ls` (and `list`) is the same listing.
struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "List images.")

    @OptionGroup var listing: ImageListingOptions

    func run() throws { try listing.run() }
}

struct ImageListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List images.", aliases: ["list"])

    @OptionGroup var listing: ImageListingOptions

    func run() throws { try listing.run() }
}

/// `images`' flags and arguments and the listing they ask for.
struct ImageListingOptions: ParsableArguments {
    @Flag(name: [.customShort("a"), .long], help: "Show all images (default hides intermediate images).")
    var all = false

    @Flag(name: [.customShort("q"), .long], help: "Only show image IDs.")
    var quiet = false

    @Flag(name: .customLong("no-trunc"), help: "Don't truncate output.")
    var noTrunc = false

    @Flag(help: "Show digests.")
    var digests = false

    @Option(name: [.customShort("f"), .long], help: "Filter output based on conditions provided (dangling=true|false, reference=PATTERN).")
    var filter: [String] = []

    @Option(help: "Format output using a Go template, or 'table', 'json'.")
    var format: String?

    @Argument(help: "[REPOSITORY[:TAG]]", completion: NameCompletion.images)
    var repository: String?

    func run() throws {
        let images = try GlobalOptions.imageStore().images()
        let filters = try ImageFilter(filter, repository: repository)
        let now = Timestamp.now()
        var rows: [ImageRow] = []
        for image in images {
            let names: [ImageReference?] = image.names.isEmpty ? [nil] : image.names
            for name in names {
                let row = ImageRow(image: image, name: name, now: now, noTrunc: noTrunc)
                if filters.matches(row) { rows.append(row) }
            }
        }
        if quiet {
            rows.forEach { Output.line($0.id) }
            return
        }
        let defaultFormat = "table {{.Repository}}\t{{.Tag}}\t" + (digests ? "{{.Digest}}\t" : "")
            + "{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
        try Listing.print(rows.map(\.fields), format: format ?? defaultFormat, headers: ImageRow.headers)
    }
}
