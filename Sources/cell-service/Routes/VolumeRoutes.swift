import CellContainers
import CellCore
import CellFormat
import CellImage
import CellPresentation

/// The volume endpoints over `VolumeOperations`, the same calls as `cell volume`.
enum VolumeRoutes {
    static let routes: [Route] = [
        Route(.GET, "/volumes", list),
        Route(.POST, "/volumes/create", create),
        Route(.POST, "/volumes/prune", prune),
        Route(.GET, "/volumes/{name}", inspect),
        Route(.DELETE, "/volumes/{name}", remove),
    ]

    /// moby's VolumeListResponse.
    static func list(_ call: RouteCall) throws -> APIResponse {
        let filter = try VolumeFilter(FilterParameter.pairs(call.query["filters"]))
        let operations = try call.engine.volumes()
        let users = try operations.users()
        let volumes = try operations.volumes.list().filter { filter.admits($0, users: users[$0.name]?.count ?? 0) }
        return .json(.ok, .object([
            ("Volumes", .array(volumes.map { VolumeViews.inspection($0, mountpoint: operations.volumes.dataDirectory(of: $0.name)) })),
            ("Warnings", .null),
        ]))
    }

    static func inspect(_ call: RouteCall) throws -> APIResponse {
        let operations = try call.engine.volumes()
        let name = try call.capture("name")
        guard let volume = try operations.volumes.find(name) else { throw APIError.notFound("get \(name): no such volume") }
        return .json(.ok, VolumeViews.inspection(volume, mountpoint: operations.volumes.dataDirectory(of: volume.name)))
    }

    /// moby's VolumeCreateOptions: Name (none: an anonymous one), Driver (local), DriverOpts, Labels; 201.
    static func create(_ call: RouteCall) throws -> APIResponse {
        var body = try JSONFields(body: call.request.body, path: "VolumeCreateOptions")
        let name = try body.string("Name").flatMap { $0.isEmpty ? nil : $0 }
        let driver = try body.string("Driver") ?? ""
        guard driver.isEmpty || driver == "local" else {
            throw APIError.notFound("create \(name ?? ""): error looking up volume plugin \(driver): plugin \"\(driver)\" not found")
        }
        let labels = Dictionary(try body.stringMap("Labels") ?? [], uniquingKeysWith: { $1 })
        let options = Dictionary(try body.stringMap("DriverOpts") ?? [], uniquingKeysWith: { $1 })
        try body.refuseUnread(["ClusterVolumeSpec": "cell has no swarm"])
        let operations = try call.engine.volumes()
        let (volume, _) = try operations.volumes.create(name, labels: labels, options: options)
        return .json(.created, VolumeViews.inspection(volume, mountpoint: operations.volumes.dataDirectory(of: volume.name)))
    }

    /// 204; 409 for one in use (`force` only forgives a missing one, as Docker's).
    static func remove(_ call: RouteCall) throws -> APIResponse {
        try call.engine.volumes().remove(try call.capture("name"), force: call.query.bool("force"))
        return .empty(.noContent)
    }

    /// moby's VolumesPruneReport; `all=true` in the filters also takes named ones (API 1.42 on).
    static func prune(_ call: RouteCall) throws -> APIResponse {
        let (removed, bytes) = try call.engine.volumes().prune(all: false, filters: FilterParameter.pairs(call.query["filters"]))
        return .json(.ok, .object([("VolumesDeleted", removed.isEmpty ? .null : .strings(removed)), ("SpaceReclaimed", .integer(bytes))]))
    }
}
