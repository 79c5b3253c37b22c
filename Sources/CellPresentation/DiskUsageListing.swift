import CellBuild
import CellContainers
import CellCore
import CellFormat

/// `system df`'s rows as docker/cli's DiskUsageContext shows them: one per kind (Images,
/// Containers, Local Volumes, Build Cache) with counts and go-units sizes, and `-v`'s per-item rows.
public enum DiskUsageListing {
    public static let defaultFormat = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"
    public static let headers = ["Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE", "Reclaimable": "RECLAIMABLE"]

    public static let imagesFormat = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}"
    public static let containersFormat = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}"
    public static let volumesFormat = "table {{.Name}}\t{{.Links}}\t{{.Size}}"
    public static let volumesHeaders = ["Name": "VOLUME NAME", "Links": "LINKS", "Size": "SIZE"]
    public static let buildCacheFormat = "table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}"
    public static let buildCacheHeaders = [
        "ID": "CACHE ID", "CacheType": "CACHE TYPE", "Size": "SIZE", "CreatedSince": "CREATED", "LastUsedSince": "LAST USED",
        "UsageCount": "USAGE", "Shared": "SHARED",
    ]

    /// The four summary rows; go-units' HumanSize (4 digits), reclaimable with its share in percent.
    public static func rows(_ usage: DiskUsage, buildCache: BuildCacheUsage) -> [JSONValue] {
        [
            row("Images", total: usage.images.count, active: usage.activeImages, size: usage.imagesSize,
                reclaimable: percentOf(usage.imagesReclaimable, usage.imagesSize)),
            row("Containers", total: usage.containers.count, active: usage.activeContainers, size: usage.containersSize,
                reclaimable: percentOf(usage.containersReclaimable, usage.containersSize)),
            row("Local Volumes", total: usage.volumes.count, active: usage.activeVolumes, size: usage.volumesSize,
                reclaimable: percentOf(usage.volumesReclaimable, usage.volumesSize)),
            row("Build Cache", total: buildCache.records.count, active: 0, size: buildCache.size,
                reclaimable: HumanUnits.size(buildCache.size, precision: 4)),
        ]
    }

    public static func imageRows(_ usage: DiskUsage, now: Timestamp) -> [JSONValue] {
        usage.images.map { image in
            // Docker shows an image by its first name only.
            var fields = ImageRow(image: image.summary, name: image.summary.names.first, now: now, noTrunc: false).fields
            fields["SharedSize"] = .string(Presentation.humanSize(image.sharedSize))
            fields["UniqueSize"] = .string(Presentation.humanSize(image.size - image.sharedSize))
            fields["Containers"] = .string(String(image.containers))
            return fields
        }
    }

    public static func containerRows(_ usage: DiskUsage, now: Timestamp) -> [JSONValue] {
        usage.containers.map { ContainerListing.row($0.container, now: now, truncate: true) }
    }

    public static func volumeRows(_ usage: DiskUsage) -> [JSONValue] {
        usage.volumes.map { volume in
            .object([("Links", .string(String(volume.links))), ("Name", .string(volume.volume.name)),
                     ("Size", .string(Presentation.humanSize(volume.size)))])
        }
    }

    public static func buildCacheRows(_ cache: BuildCacheUsage, now: Timestamp) -> [JSONValue] {
        cache.records.map { record in
            .object([
                ("CacheType", .string(record.type)),
                ("CreatedSince", .string(Presentation.since(record.lastUsed, now: now))),
                ("ID", .string(String(record.id.prefix(12)))),
                ("LastUsedSince", .string(Presentation.since(record.lastUsed, now: now))),
                ("Shared", .string(record.shared ? "true" : "false")),
                ("Size", .string(Presentation.humanSize(record.size))),
                ("UsageCount", .string("1")),
            ])
        }
    }

    private static func row(_ type: String, total: Int, active: Int, size: Int64, reclaimable: String) -> JSONValue {
        .object([
            ("Active", .string(String(active))), ("Reclaimable", .string(reclaimable)),
            ("Size", .string(HumanUnits.size(size, precision: 4))), ("TotalCount", .string(String(total))), ("Type", .string(type)),
        ])
    }

    /// `1.2MB (50%)`; the bare size when nothing is there.
    private static func percentOf(_ part: Int64, _ whole: Int64) -> String {
        let text = HumanUnits.size(part, precision: 4)
        return whole > 0 ? "\(text) (\(part * 100 / whole)%)" : text
    }
}
