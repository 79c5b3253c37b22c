import CellContainers
import CellFormat

/// `POST /containers/{id}/wait`: the 200 goes out at once (the docker CLI sends its start only after
/// it, for `docker run`), the status when `condition` holds.
enum ContainerWaitRoute {
    static let routes = [Route(.POST, "/containers/{id}/wait", wait)]

    static func wait(_ call: RouteCall) throws -> APIResponse {
        let text = call.query["condition"] ?? ""
        let condition: ContainerWaitCondition
        if text.isEmpty {
            condition = .notRunning
        } else if let given = ContainerWaitCondition(rawValue: text) {
            condition = given
        } else {
            throw APIError.badRequest("invalid condition: \"\(text)\"")
        }
        let lifecycle = try call.engine.lifecycle()
        let container = try lifecycle.store.resolve(call.capture("id"))
        return .stream(.ok, contentType: "application/json") { stream in
            guard let status = try lifecycle.wait(container, until: condition, while: { stream.isOpen }) else { return }
            // moby 24's WaitResponse: Error is left out when there is none.
            try stream.write(APIResponse.jsonBody(.object([("StatusCode", .int(status))])))
        }
    }
}
