import CellContainers
import CellCore
import CellFormat

/// `GET /containers/{id}/changes`: `docker diff`, over the same `ContainerStore.changes` as
/// `cell diff`, in moby's shape: `Kind` 0 modified, 1 added, 2 deleted; `null` for no change, as
/// Go encodes moby's empty slice.
enum ContainerChangesRoute {
    static let routes = [Route(.GET, "/containers/{id}/changes", changes)]

    static func changes(_ call: RouteCall) throws -> APIResponse {
        let changes = try call.engine.containers().changes(of: call.capture("id"))
        guard !changes.isEmpty else { return .json(.ok, .null) }
        return .json(.ok, .array(changes.map { change in
            .object([("Path", .string(change.path)), ("Kind", .integer(kindNumber(change.kind)))])
        }))
    }

    /// moby's archive.ChangeType.
    static func kindNumber(_ kind: FileChange.Kind) -> Int64 {
        switch kind {
        case .changed: 0
        case .added: 1
        case .deleted: 2
        }
    }
}
