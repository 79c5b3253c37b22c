import CellBuild
import CellContainers
import CellCore
import CellPresentation

/// `GET /system/df`: `docker system df`'s figures, from the same `DiskUsage` and
/// `BuildCacheUsage` as `cell system df`. `type` (API 1.42 on, repeatable) picks the parts.
enum SystemDiskUsageRoute {
    static let routes = [Route(.GET, "/system/df", diskUsage)]

    static func diskUsage(_ call: RouteCall) throws -> APIResponse {
        let asked = call.query.all("type")
        var parts = Set(EngineDiskUsage.Part.allCases)
        if !asked.isEmpty && call.version >= APIVersion(major: 1, minor: 42) {
            parts = Set(try asked.map { text in
                guard let part = EngineDiskUsage.Part(rawValue: text) else { throw APIError.badRequest("unknown object type: \(text)") }
                return part
            })
        }
        let engine = call.engine
        let images = try engine.images()
        let usage = try DiskUsage(containers: try engine.lifecycle().listReapingAutoRemoved(), images: images)
        let cache = parts.contains(.buildCache) ? try BuildCacheUsage(images: images) : nil
        let volumes = VolumeStore(layout: images.layout)
        return .json(.ok, EngineDiskUsage.json(usage, buildCache: cache, volumeDirectory: volumes.dataDirectory(of:),
                                               parts: parts, now: .now()))
    }
}
