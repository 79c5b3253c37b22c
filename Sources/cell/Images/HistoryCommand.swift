import ArgumentParser
import CellCore
import CellFormat
import CellImage
import CellPresentation

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the history of an image.")

    @Flag(name: [.customShort("H"), .long], inversion: .prefixedNo, help: "Print sizes and dates in human readable format.")
    var human = true

    @Flag(name: .customLong("no-trunc"), help: "Don't truncate output.")
    var noTrunc = false

    @Flag(name: [.customShort("q"), .long], help: "Only show image IDs.")
    var quiet = false

    @Option(help: "Format output using a Go template, or 'table', 'json'.")
    var format: String?

    @Argument(help: "IMAGE", completion: NameCompletion.images)
    var image: String

    func run() throws {
        let image = try GlobalOptions.imageStore().resolve(image)
        let rows = ImageHistoryListing.rows(image, human: human, truncate: !noTrunc, now: Timestamp.now())
        if quiet {
            rows.forEach { Output.line($0.id) }
            return
        }
        try Listing.print(rows.map(\.fields),
                          format: format ?? "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
                          headers: ImageHistoryListing.headers)
    }
}
