import CellContainers
import CellCore
import CellFormat
import CellImage
import CellPresentation

/// The container endpoints that list, show and change containers, each over the same
/// `CellContainers` operation as the CLI's verb of that name.
enum ContainerRoutes {
    static let routes: [Route] = [
        Route(.GET, "/containers/json", list),
        Route(.POST, "/containers/prune", prune),
        Route(.GET, "/containers/{id}/json", inspect),
        Route(.POST, "/containers/{id}/start", start),
        Route(.POST, "/containers/{id}/stop", stop),
        Route(.POST, "/containers/{id}/restart", restart),
        Route(.POST, "/containers/{id}/kill", kill),
        Route(.POST, "/containers/{id}/pause", pause),
        Route(.POST, "/containers/{id}/unpause", unpause),
        Route(.DELETE, "/containers/{id}", remove),
    ]

    /// `docker ps`: running containers, or all; `filters` as `ps --filter`; `limit` the newest N
    /// (of every state, as Docker's); `size` the writable layer and the whole root file system.
    static func list(_ call: RouteCall) throws -> APIResponse {
        // Its cost grows with the store: taken in turns, serializing included.
        try FairGate.listings.run { .serializedJSON(.ok, APIResponse.jsonBody(try listing(call))) }
    }

    private static func listing(_ call: RouteCall) throws -> JSONValue {
        let engine = call.engine
        let filter = try ContainerFilter(FilterParameter.words(call.query["filters"])) { try? engine.images().find($0)?.id.description }
        let limit = try call.query.integer("limit") ?? 0
        let showAll = call.query.bool("all") || limit > 0 || filter.needsAll
        var containers = try engine.lifecycle().listReapingAutoRemoved().filter { (showAll || $0.isRunning) && filter.matches($0) }
        if limit > 0 { containers = Array(containers.prefix(limit)) }
        let images = call.query.bool("size") ? try engine.images() : nil
        let now = Timestamp.now()
        return .array(containers.map { container in
            let sizes = images.map { images in
                (writable: FileSystem.diskUsage("\(container.directory)/upper"),
                 image: (try? images.find(container.record.imageID)?.size) ?? 0)
            }
            return EngineContainerSummary.json(container, now: now, sizes: sizes)
        })
    }

    /// `docker inspect`: `ContainerInspection`, the document `cell inspect` prints.
    static func inspect(_ call: RouteCall) throws -> APIResponse {
        let engine = call.engine
        let container = try engine.container(call.capture("id"))
        var document = ContainerInspection.json(container)
        if call.query.bool("size") {
            let writable = FileSystem.diskUsage("\(container.directory)/upper")
            let image = (try? engine.images().find(container.record.imageID)?.size) ?? 0
            document["SizeRw"] = .integer(writable)
            document["SizeRootFs"] = .integer(writable + image)
        }
        return .json(.ok, document)
    }

    /// `docker start`: 204, or 304 when it was running already. A body was removed from the API
    /// in 1.24; Docker refuses one longer than an empty JSON object.
    static func start(_ call: RouteCall) throws -> APIResponse {
        guard call.request.body.count <= 7 else {
            throw APIError.badRequest("starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24")
        }
        let container = try call.engine.container(call.capture("id"))
        if container.isRunning { return .empty(.notModified) }
        return .empty(try call.engine.runner().startDetached(container) ? .noContent : .notModified)
    }

    /// `docker stop`: `t` seconds (the container's own stop timeout, else 10), then SIGKILL;
    /// `signal` over its stop signal. 304 when it was not running.
    static func stop(_ call: RouteCall) throws -> APIResponse {
        let timeout = try call.query.integer("t")
        let signal = call.query["signal"].flatMap { $0.isEmpty ? nil : $0 }
        let lifecycle = try call.engine.lifecycle()
        let container = try lifecycle.store.resolve(call.capture("id"))
        guard container.isRunning else { return .empty(.notModified) }
        try lifecycle.stop(container, timeout: timeout, signal: signal)
        return .empty(.noContent)
    }

    /// `docker restart`: stopped as `stop` stops it, started again.
    static func restart(_ call: RouteCall) throws -> APIResponse {
        let timeout = try call.query.integer("t")
        let signal = call.query["signal"].flatMap { $0.isEmpty ? nil : $0 }
        let lifecycle = try call.engine.lifecycle()
        try lifecycle.restart(try lifecycle.store.resolve(call.capture("id")), timeout: timeout, signal: signal)
        return .empty(.noContent)
    }

    /// `docker kill`: one signal (KILL unless named) to a running container; 409 when it is not.
    static func kill(_ call: RouteCall) throws -> APIResponse {
        let signal = try SignalName.parse(call.query["signal"].flatMap { $0.isEmpty ? nil : $0 } ?? "KILL")
        let lifecycle = try call.engine.lifecycle()
        try lifecycle.kill(try lifecycle.store.resolve(call.capture("id")), signal: signal)
        return .empty(.noContent)
    }

    /// `docker pause` and `unpause`: its cgroup frozen and thawed; 409 when it is not running
    /// (or not paused).
    static func pause(_ call: RouteCall) throws -> APIResponse {
        let lifecycle = try call.engine.lifecycle()
        try lifecycle.pause(try lifecycle.store.resolve(call.capture("id")))
        return .empty(.noContent)
    }

    static func unpause(_ call: RouteCall) throws -> APIResponse {
        let lifecycle = try call.engine.lifecycle()
        try lifecycle.unpause(try lifecycle.store.resolve(call.capture("id")))
        return .empty(.noContent)
    }

    /// `docker rm`: `force` kills a running one first (409 without it), `v` takes its anonymous
    /// volumes along. Links do not exist in cell.
    static func remove(_ call: RouteCall) throws -> APIResponse {
        if call.query.bool("link") {
            throw APIError(.badRequest, "cannot remove a link: cell's containers have no links")
        }
        let lifecycle = try call.engine.lifecycle()
        try lifecycle.remove(try lifecycle.store.resolve(call.capture("id")), force: call.query.bool("force"),
                             volumes: call.query.bool("v"))
        return .empty(.noContent)
    }

    /// `docker container prune`: every stopped container `filters` admits (until, label).
    static func prune(_ call: RouteCall) throws -> APIResponse {
        let filter = try PruneFilter(FilterParameter.pairs(call.query["filters"]), for: .containers)
        let (deleted, reclaimed) = try call.engine.lifecycle().pruneStopped(filter: filter)
        return .json(.ok, .object([
            ("ContainersDeleted", deleted.isEmpty ? .null : .strings(deleted)),
            ("SpaceReclaimed", .integer(reclaimed)),
        ]))
    }
}
