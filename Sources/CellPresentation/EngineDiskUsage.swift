import CellBuild
import CellContainers
import CellCore
import CellFormat

/// moby's types.DiskUsage (`GET /system/df`), from the figures `cell system df` prints:
/// `docker system df` draws its table from these lists itself (active images by their container
/// count, reclaimable space by shared sizes, volumes by their usage data).
public enum EngineDiskUsage {
    /// The parts `GET /system/df?type=` can ask for.
    public enum Part: String, CaseIterable, Sendable {
        case container, image, volume
        case buildCache = "build-cache"
    }

    /// `parts` not asked for are null, as moby leaves them (LayersSize 0 without images).
    public static func json(_ usage: DiskUsage, buildCache: BuildCacheUsage?, volumeDirectory: (String) -> String,
                            parts: Set<Part>, now: Timestamp) -> JSONValue {
        let images: JSONValue = !parts.contains(.image) ? .null : .array(usage.images.map { image in
            var summary = EngineImageSummary.json(image.summary)
            summary["Containers"] = .int(image.containers)
            summary["SharedSize"] = .integer(image.sharedSize)
            summary["Size"] = .integer(image.size)
            summary["VirtualSize"] = .integer(image.size)
            return summary
        })
        let containers: JSONValue = !parts.contains(.container) ? .null : .array(usage.containers.map { container in
            let image = usage.images.first { $0.summary.id.description == container.container.record.imageID }?.size ?? 0
            return EngineContainerSummary.json(container.container, now: now, sizes: (writable: container.size, image: image))
        })
        let volumes: JSONValue = !parts.contains(.volume) ? .null : .array(usage.volumes.map { volume in
            var document = VolumeViews.inspection(volume.volume, mountpoint: volumeDirectory(volume.volume.name))
            document["UsageData"] = .object([("RefCount", .int(volume.links)), ("Size", .integer(volume.size))])
            return document
        })
        let cache: JSONValue = buildCache.map { cache in
            .array(cache.records.map { record in
                .object([
                    ("ID", .string(record.id)),
                    ("Type", .string(record.type)),
                    ("Description", .string("")),
                    ("InUse", .bool(false)),
                    ("Shared", .bool(record.shared)),
                    ("Size", .integer(record.size)),
                    // cell keeps one time per entry: when it was last used.
                    ("CreatedAt", .string(record.lastUsed.rfc3339Nano)),
                    ("LastUsedAt", .string(record.lastUsed.rfc3339Nano)),
                    ("UsageCount", .int(1)),
                ])
            })
        } ?? .null
        return .object([
            ("LayersSize", .integer(parts.contains(.image) ? usage.imagesSize : 0)),
            ("Images", images),
            ("Containers", containers),
            ("Volumes", volumes),
            ("BuildCache", cache),
        ])
    }
}
