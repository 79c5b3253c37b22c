import CellCore
import CellFormat
import CellImage
import CellPresentation

/// The image endpoints of the store: list, inspect, history, tag, remove, each over the
/// `CellImage` operation the CLI's verb calls. Names hold slashes, so they take the rest of the path.
enum ImageRoutes {
    static let routes: [Route] = [
        Route(.GET, "/images/json", list),
        Route(.POST, "/images/prune", prune),
        Route(.GET, "/images/{name*}/json", inspect),
        Route(.GET, "/images/{name*}/history", history),
        Route(.POST, "/images/{name*}/tag", tag),
        Route(.DELETE, "/images/{name*}", remove),
    ]

    /// `docker images`: one entry per image with its names; `filters` as `images --filter`
    /// (dangling, reference: an image is listed under the names the reference admits).
    static func list(_ call: RouteCall) throws -> APIResponse {
        let filter = try ImageFilter(FilterParameter.words(call.query["filters"]), repository: nil)
        let store = try call.engine.images()
        let now = Timestamp.now()
        var entries: [JSONValue] = []
        for var image in try store.images() {
            let names: [ImageReference?] = image.names.isEmpty ? [nil] : image.names
            let admitted = names.filter { filter.matches(ImageRow(image: image, name: $0, now: now, noTrunc: true)) }
            guard !admitted.isEmpty else { continue }
            image.names = admitted.compactMap { $0 }
            let labels = (try? store.load(image))?.config.config?.labels
            entries.append(EngineImageSummary.json(image, labels: labels))
        }
        return .json(.ok, .array(entries))
    }

    /// `docker image inspect`: `ImageInspection`, the document `cell image inspect` prints.
    static func inspect(_ call: RouteCall) throws -> APIResponse {
        .json(.ok, ImageInspection.json(try call.engine.images().resolve(call.capture("name"))))
    }

    static func history(_ call: RouteCall) throws -> APIResponse {
        .json(.ok, EngineImageHistory.json(try call.engine.images().resolve(call.capture("name"))))
    }

    /// `docker tag`: `repo` and `tag` name the new reference; 201.
    static func tag(_ call: RouteCall) throws -> APIResponse {
        let repository = call.query["repo"] ?? "", tag = call.query["tag"] ?? ""
        guard !repository.isEmpty else { throw APIError.badRequest("repository name must have at least one component") }
        try call.engine.images().tag(call.capture("name"), as: tag.isEmpty ? repository : "\(repository):\(tag)")
        return .empty(.created)
    }

    /// `docker rmi`: what was untagged and deleted, in Docker's order (`force` as `rmi -f`).
    static func remove(_ call: RouteCall) throws -> APIResponse {
        let name = try call.capture("name")
        guard !name.trimmingSpaces.isEmpty else { throw APIError.badRequest("image name cannot be blank") }
        let containers = try call.engine.containers()
        let events = try call.engine.images().remove(name, force: call.query.bool("force"), users: containers.imageUsers)
        return .json(.ok, .array(events.map(removalJSON)))
    }

    /// `docker image prune`: dangling images (every unused one with `dangling=false`) that
    /// `filters` admits (until, label), through the same `ImageStore.prune` as the CLI's.
    static func prune(_ call: RouteCall) throws -> APIResponse {
        let filter = try PruneFilter(FilterParameter.pairs(call.query["filters"]), for: .images)
        let containers = try call.engine.containers()
        let (events, reclaimed) = try call.engine.images().prune(all: filter.allImages, filter: filter, users: containers.imageUsers)
        return .json(.ok, .object([
            ("ImagesDeleted", events.isEmpty ? .null : .array(events.map(removalJSON))),
            ("SpaceReclaimed", .integer(reclaimed.bytes)),
        ]))
    }

    /// moby's `ImageDeleteResponseItem`.
    static func removalJSON(_ event: ImageStore.RemovalEvent) -> JSONValue {
        switch event {
        case .untagged(let reference): return .object([("Untagged", .string(reference))])
        case .deleted(let id): return .object([("Deleted", .string(id.description))])
        }
    }
}
