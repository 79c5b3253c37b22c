import CellContainers
import CellCore
import CellFormat
import CellImage

/// `POST /commit`: `docker commit`, over the same `ContainerStore.commit` as `cell commit`.
/// `container`, `repo` and `tag` (the new name; none without repo), `comment`, `author`,
/// `changes` (Dockerfile instructions, repeatable), the body a config over the container's;
/// `pause` (true unless given, from API 1.13 on, as moby reads it) freezes a running container
/// meanwhile.
enum ContainerCommitRoute {
    static let routes = [Route(.POST, "/commit", commit)]

    static func commit(_ call: RouteCall) throws -> APIResponse {
        let query = call.query
        let overrides = try CommitConfigRequest.overrides(from: call.request.body)
        var names: [ImageReference] = []
        if let repository = query["repo"], !repository.isEmpty {
            let tag = query["tag"] ?? ""
            names = [try ImageReference(parsing: tag.isEmpty ? repository : "\(repository):\(tag)")]
        }
        let store = try call.engine.containers()
        let container = try store.resolve(query["container"] ?? "")
        let engine = call.engine
        // moby joins the changes into one Dockerfile: a value may hold several lines.
        let changes = query.all("changes").flatMap { $0.split(separator: "\n").map(String.init) }.filter { !$0.trimmedWhitespace.isEmpty }
        let pause = query["pause"].map { $0.isEmpty ? true : query.bool("pause") } ?? true
        let id = try store.commit(container, images: { try engine.images() }, changes: changes, message: query["comment"],
                                  author: query["author"], names: names, overrides: overrides, pause: pause)
        return .json(.created, .object([("Id", .string(id.description))]))
    }
}
