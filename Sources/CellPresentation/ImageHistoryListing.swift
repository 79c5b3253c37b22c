import CellCore
import CellFormat
import CellImage

/// How `docker history` shows an image's steps, newest first (the keys `--format` templates name).
public enum ImageHistoryListing {
    public static let headers = ["ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
                                 "CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT"]

    /// One row per history entry; only the newest has an id (`<missing>` for the others, as
    /// docker shows steps whose images are not stored). `human` shows sizes and times as docker's -H.
    public static func rows(_ image: Image, human: Bool, truncate: Bool, now: Timestamp) -> [(id: String, fields: JSONValue)] {
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
                ("CreatedBy", .string(truncate ? Presentation.ellipsis(createdBy, 45) : createdBy)),
                ("CreatedSince", .string(created.map { human ? Presentation.since($0, now: now) : $0.rfc3339 } ?? "N/A")),
                ("ID", .string("<missing>")),
                ("Size", .string(human ? Presentation.humanSize(size) : String(size))),
            ])))
        }
        rows.reverse()
        if !rows.isEmpty {
            let id = truncate ? image.id.shortHex : image.id.description
            rows[0].id = id
            if case .object(var pairs) = rows[0].fields, let index = pairs.firstIndex(where: { $0.0 == "ID" }) {
                pairs[index].1 = .string(id)
                rows[0].fields = .object(pairs)
            }
        }
        return rows
    }
}
