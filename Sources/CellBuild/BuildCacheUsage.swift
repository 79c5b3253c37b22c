#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// The build cache as `system df` and `system prune` see it: each step's entry (what its layers
/// hold that no image does) and the RUN --mount=type=cache directories.
public struct BuildCacheUsage: Sendable {
    public struct Record: Sendable {
        /// The step's cache key (hex), Docker's cache ID.
        public var id: String
        /// `regular` for a step's result, `exec.cachemount` for a cache mount, as BuildKit names them.
        public var type: String
        public var size: Int64
        public var lastUsed: Timestamp
        /// Whether its layers are also an image's (removing it frees nothing).
        public var shared: Bool
    }

    public var records: [Record]
    public var size: Int64 { records.filter { !$0.shared }.reduce(0) { $0 + $1.size } }

    public init(images store: ImageStore) throws {
        var imageLayers = Set<Digest>()
        for summary in try store.images() {
            if let image = try? store.load(summary) { imageLayers.formUnion(image.layers.map(\.digest)) }
        }
        let cache = BuildCache(directory: store.layout.buildCache)
        var records: [Record] = []
        for name in (try? FileSystem.contentsOfDirectory(cache.directory)) ?? [] {
            guard let key = try? Digest(parsing: "sha256:\(name)"), let entry = cache.entry(for: key) else { continue }
            // Blobs collected since are a miss, nothing on disk.
            let own = entry.layers.filter { !imageLayers.contains($0.digest) && FileSystem.exists(store.layout.blob($0.digest)) }
            records.append(Record(id: name, type: "regular", size: own.reduce(0) { $0 + $1.size },
                                  lastUsed: Self.modified("\(cache.directory)/\(name)"), shared: own.isEmpty && !entry.layers.isEmpty))
        }
        for name in (try? FileSystem.contentsOfDirectory(store.layout.buildCacheMounts)) ?? [] {
            let path = "\(store.layout.buildCacheMounts)/\(name)"
            records.append(Record(id: name, type: "exec.cachemount", size: FileSystem.diskUsage(path),
                                  lastUsed: Self.modified(path), shared: false))
        }
        self.records = records.sorted { $0.lastUsed > $1.lastUsed }
    }

    /// Removes every entry and cache mount that `filter` admits (by when it was last used). The
    /// layers only entries named are collected by the next garbage collection (system prune runs
    /// one right after), so the bytes returned are the cache mounts' alone.
    public static func prune(images store: ImageStore, filter: PruneFilter = PruneFilter()) throws -> (removed: [String], reclaimedBytes: Int64) {
        let usage = try BuildCacheUsage(images: store)
        var reclaimed: Int64 = 0
        var removed: [String] = []
        for record in usage.records where filter.admitsCacheEntry(lastUsed: record.lastUsed) {
            let isEntry = record.type == "regular"
            try FileSystem.removeTree("\(isEntry ? store.layout.buildCache : store.layout.buildCacheMounts)/\(record.id)")
            if !isEntry { reclaimed += record.size }
            removed.append(record.id)
        }
        return (removed, reclaimed)
    }

    private static func modified(_ path: String) -> Timestamp {
        var status = stat()
        guard lstat(path, &status) == 0 else { return .now() }
        return Timestamp(seconds: Int64(status.st_mtim.tv_sec), nanoseconds: Int32(status.st_mtim.tv_nsec))
    }
}
