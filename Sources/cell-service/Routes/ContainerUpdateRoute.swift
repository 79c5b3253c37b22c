import CellContainers
import CellFormat

/// `POST /containers/{id}/update`: `docker update`, over the same `ContainerLifecycle.update`s as
/// `cell update`: the body's Resources (the limits cell sets; a running container's cgroup takes
/// them at once) and RestartPolicy (an empty Name changes nothing). Answers moby's
/// UpdateResponse with the warnings of limits the host cannot set.
enum ContainerUpdateRoute {
    static let routes = [Route(.POST, "/containers/{id}/update", update)]

    static func update(_ call: RouteCall) throws -> APIResponse {
        var fields = try JSONFields(body: call.request.body, path: "UpdateConfig")
        let limits = try ResourcesRequest.limits(&fields)
        var restart = try fields.object("RestartPolicy")
        let policy = try restart.string("Name") ?? "", retries = try restart.integer("MaximumRetryCount") ?? 0
        try restart.refuseUnread()
        // Devices, Ulimits and the rest are fixed when a container is made (Docker refuses them
        // in an update as well).
        try fields.refuseUnread(ContainerCreateRequest.hostConfigReasons)
        let lifecycle = try call.engine.lifecycle()
        let container = try lifecycle.store.resolve(call.capture("id"))
        var warnings: [String] = []
        try lifecycle.update(container, limits: limits, restartPolicy: policy.isEmpty ? nil : retries > 0 ? "\(policy):\(retries)" : policy) {
            warnings.append($0)
        }
        return .json(.ok, .object([("Warnings", .strings(warnings))]))
    }
}
