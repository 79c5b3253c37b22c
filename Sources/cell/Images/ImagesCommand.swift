#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellCore
import CellFormat
import CellImage

struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "List images.",
        aliases: ["ls", "list"])

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

    @Argument(help: "[REPOSITORY[:TAG]]")
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

/// One line of `cell images`: an image under one of its names.
struct ImageRow {
    static let headers: [String: String] = [
        "ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
        "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "Containers": "CONTAINERS",
        "VirtualSize": "VIRTUAL SIZE", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE",
    ]

    var repository: String
    var tag: String
    var id: String
    var reference: ImageReference?
    var fields: JSONValue

    init(image: ImageSummary, name: ImageReference?, now: Timestamp, noTrunc: Bool) {
        repository = name?.familiarRepository ?? "<none>"
        tag = name?.tag ?? "<none>"
        id = noTrunc ? image.id.description : image.id.shortHex
        reference = name
        let created = image.created
        fields = .object([
            ("Containers", .string("N/A")),
            ("CreatedAt", .string(created.map(Presentation.goTimeString) ?? "")),
            ("CreatedSince", .string(created.map { Presentation.since($0, now: now) } ?? "N/A")),
            ("Digest", .string("<none>")),
            ("ID", .string(id)),
            ("Repository", .string(repository)),
            ("SharedSize", .string("N/A")),
            ("Size", .string(Presentation.humanSize(image.size))),
            ("Tag", .string(tag)),
            ("UniqueSize", .string("N/A")),
            ("VirtualSize", .string(Presentation.humanSize(image.size))),
        ])
    }
}

/// `--filter` for images: dangling=true|false, reference=PATTERN (shell glob on the name).
struct ImageFilter {
    var dangling: Bool?
    var references: [String] = []

    init(_ filters: [String], repository: String?) throws {
        for filter in filters {
            guard let equals = filter.firstIndex(of: "=") else {
                throw CellError.usage("invalid filter '\(filter)': expected key=value")
            }
            let key = String(filter[..<equals]), value = String(filter[filter.index(after: equals)...])
            switch key {
            case "dangling":
                guard value == "true" || value == "false" else {
                    throw CellError.usage("invalid filter 'dangling=\(value)'")
                }
                dangling = value == "true"
            case "reference":
                references.append(value)
            default:
                throw CellError.usage("invalid filter '\(key)'")
            }
        }
        if let repository { references.append(repository.contains(":") ? repository : repository + ":*") }
    }

    func matches(_ row: ImageRow) -> Bool {
        if let dangling, dangling != (row.reference == nil) { return false }
        guard !references.isEmpty else { return true }
        guard let reference = row.reference else { return false }
        let candidates = [reference.familiarName, reference.familiarRepository, reference.description]
        return references.contains { pattern in
            candidates.contains { fnmatch(pattern, $0, 0) == 0 }
        }
    }
}
