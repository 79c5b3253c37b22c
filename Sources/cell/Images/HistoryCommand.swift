import ArgumentParser
import CellCore
import CellFormat
import CellImage

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

    @Argument(help: "IMAGE")
    var image: String

    func run() throws {
        let image = try GlobalOptions.imageStore().resolve(image)
        let now = Timestamp.now()
        var layerSizes = image.layers.map(\.size)[...]
        var rows: [(id: String, fields: JSONValue)] = []
        let history = image.config.history ?? image.layers.map { _ in History(created: image.config.created, createdBy: "") }
        for entry in history {
            let size = entry.emptyLayer == true ? 0 : (layerSizes.popFirst() ?? 0)
            let created = entry.created.flatMap { Timestamp(rfc3339: $0) }
            let createdBy = entry.createdBy ?? ""
            rows.append(("<missing>", .object([
                ("Comment", .string(entry.comment ?? "")),
                ("CreatedAt", .string(created.map { human ? Presentation.goTimeString($0) : $0.rfc3339 } ?? "")),
                ("CreatedBy", .string(noTrunc ? createdBy : Presentation.ellipsis(createdBy, 45))),
                ("CreatedSince", .string(created.map { human ? Presentation.since($0, now: now) : $0.rfc3339 } ?? "N/A")),
                ("ID", .string("<missing>")),
                ("Size", .string(human ? Presentation.humanSize(size) : String(size))),
            ])))
        }
        rows.reverse()
        if !rows.isEmpty {
            let id = noTrunc ? image.id.description : image.id.shortHex
            rows[0].id = id
            if case .object(var pairs) = rows[0].fields, let index = pairs.firstIndex(where: { $0.0 == "ID" }) {
                pairs[index].1 = .string(id)
                rows[0].fields = .object(pairs)
            }
        }
        if quiet {
            rows.forEach { Output.line($0.id) }
            return
        }
        let headers = ["ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
                       "CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT"]
        try Listing.print(rows.map(\.fields),
                          format: format ?? "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
                          headers: headers)
    }
}
