import CellContainers
import CellCore
import CellFormat

/// `POST /containers/create?name=`: the body as `RunOptions` (`ContainerCreateRequest`), created
/// by `ContainerRunner` as `cell create` creates it. An image the store lacks is Docker's 404 (the
/// docker CLI then pulls it, through `/images/create` once this service has it).
enum ContainerCreateRoute {
    static let routes = [Route(.POST, "/containers/create", create)]

    static func create(_ call: RouteCall) throws -> APIResponse {
        if let type = call.request.headers.first(name: "content-type"), !type.isEmpty,
           !type.lowercased().hasPrefix("application/json") {
            throw APIError.badRequest("unsupported Content-Type header (\(type)): must be 'application/json'")
        }
        if let platform = call.query["platform"], !platform.isEmpty, !platform.hasPrefix("linux") {
            throw APIError.badRequest("platform \(platform) is not supported: cell runs linux containers of this machine")
        }
        let name = call.query["name"].flatMap { $0.isEmpty ? nil : $0 }
        let options = try ContainerCreateRequest.options(from: call.request.body, name: name)
        var warnings: [String] = []
        let container: Container
        do {
            container = try call.engine.runner().create(options, warn: { warnings.append($0) })
        } catch let error as CellError where error.kind == .setup {
            // Creation's own refusals (a bad mount, a flag's value) are the request's fault here.
            throw APIError.badRequest(error.message)
        }
        return .json(.created, .object([("Id", .string(container.id)), ("Warnings", .strings(warnings))]))
    }
}
