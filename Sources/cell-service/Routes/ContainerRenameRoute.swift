import CellContainers

/// `POST /containers/{id}/rename?name=`: `docker rename`, over `ContainerStore.rename` as
/// `cell rename` (its checks and Docker's messages: 400 for an invalid or unchanged name, 409 for
/// one taken).
enum ContainerRenameRoute {
    static let routes = [Route(.POST, "/containers/{id}/rename", rename)]

    static func rename(_ call: RouteCall) throws -> APIResponse {
        let name = call.query["name"] ?? ""
        guard !name.isEmpty else { throw APIError.badRequest("Neither old nor new names may be empty") }
        try call.engine.containers().rename(call.capture("id"), to: name)
        return .empty(.noContent)
    }
}
