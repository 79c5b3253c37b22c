import CellCore
import CellFormat
import CellImage

/// An image's history as the Engine API gives it (`GET /images/{name}/history`: moby's
/// image.HistoryResponseItem, newest first), from which the docker CLI draws `history`'s table.
/// `history`'s own rows are `ImageHistoryListing`'s.
public enum EngineImageHistory {
    public static func json(_ image: Image) -> JSONValue {
        var layerSizes = image.layers.map(\.size)[...]
        let history = image.config.history ?? image.layers.map { _ in History(created: image.config.created, createdBy: "") }
        var items: [JSONValue] = []
        for (index, entry) in history.enumerated() {
            let size = entry.emptyLayer == true ? 0 : (layerSizes.popFirst() ?? 0)
            let newest = index == history.count - 1
            items.append(.object([
                ("Comment", .string(entry.comment ?? "")),
                ("Created", .integer(entry.created.flatMap { Timestamp(rfc3339: $0) }?.seconds ?? 0)),
                ("CreatedBy", .string(entry.createdBy ?? "")),
                // Only the newest step is an image of the store; the others are Docker's <missing>.
                ("Id", .string(newest ? image.id.description : "<missing>")),
                ("Size", .integer(size)),
                ("Tags", newest && !image.names.isEmpty ? .strings(image.names.map(\.familiarName)) : .null),
            ]))
        }
        return .array(items.reversed())
    }
}
