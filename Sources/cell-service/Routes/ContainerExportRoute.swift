import CellContainers
import CellCore

/// `GET /containers/{id}/export`: `docker export`, the same `ContainerStore.export` as `cell
/// export`, its tar written to the connection as it is made. The container is resolved first,
/// so a missing one is a 404 before the head goes out.
enum ContainerExportRoute {
    static let routes = [Route(.GET, "/containers/{id}/export", export)]

    static func export(_ call: RouteCall) throws -> APIResponse {
        let store = try call.engine.containers()
        let id = try store.resolve(call.capture("id")).id
        return .stream(.ok, contentType: "application/x-tar") { stream in
            try store.export(id) { buffer in try stream.write(buffer) }
        }
    }
}
