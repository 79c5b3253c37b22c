import CellCore
import CellFormat
import CellImage

/// One line of `cell images`: an image under one of its names.
public struct ImageRow {
    public static let headers: [String: String] = [
        "ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
        "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "Containers": "CONTAINERS",
        "VirtualSize": "VIRTUAL SIZE", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE",
    ]

    public var repository: String
    public var tag: String
    public var id: String
    public var reference: ImageReference?
    public var fields: JSONValue

    public init(image: ImageSummary, name: ImageReference?, now: Timestamp, noTrunc: Bool) {
        repository = name?.familiarRepository ?? "<none>"
        tag = name?.tag ?? "<none>"
        id = noTrunc ? image.id.description : image.id.shortHex
        reference = name
        let created = image.created
        fields = .object([
            ("Containers", .string("N/A")),
            ("CreatedAt", .string(created.map(Presentation.goTimeString) ?? "")),
            ("CreatedSince", .string(created.map { Presentation.since($0, now: now) } ?? "N/A")),
            ("Digest", .string(name.flatMap { image.repositoryDigests[$0]?.description } ?? "<none>")),
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
