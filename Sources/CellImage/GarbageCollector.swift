#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// What users of the store outside the image store hold on to: the images containers were made
/// from and the unpacked layers they mount. Read by garbage collection under its exclusive lock,
/// which container creation holds shared from resolving its image until its record is on disk,
/// so no container can be half made while it is read.
public struct ImageUsers: Sendable {
    /// Image id → one container using it.
    public var images: [Digest: String]
    /// Unpacked layer directories (`layers/<diff_id>`) that containers mount.
    public var layerDirectories: Set<String>

    public init(images: [Digest: String] = [:], layerDirectories: Set<String> = []) {
        self.images = images
        self.layerDirectories = layerDirectories
    }
}

extension ImageStore {
    /// What a collection freed.
    public struct Reclaimed: Sendable {
        public var blobs: [Digest] = []
        public var layers: [Digest] = []
        public var bytes: Int64 = 0
    }

    /// Deletes blobs and unpacked layers that no image in index.json and no container reaches,
    /// and temporary files that crashed writers left behind. Waits for writers to finish
    /// (exclusive collection lock); `users` is read under that lock.
    public func collectGarbage(users: () throws -> ImageUsers) throws -> Reclaimed {
        try withCollectionLock { try collectLocked(users: try users()) }
    }

    /// Runs `body` alone on the store (exclusive: no writer, no container creation, no other
    /// collection), or as one of its writers (shared), whom a collection waits for.
    func withCollectionLock<T>(_ mode: FileLock.Mode = .exclusive, _ body: () throws -> T) throws -> T {
        try FileLock(path: layout.collectionLock).withLock(mode, body)
    }

    /// The collection itself; the caller holds the exclusive collection lock.
    func collectLocked(users: ImageUsers) throws -> Reclaimed {
        var reclaimed = Reclaimed()
        let index = try NameIndex.read(layout)
        var liveBlobs = Set<Digest>()
        var liveLayers = Set<Digest>()
        for entry in index.entries {
            liveBlobs.insert(entry.digest)
            guard let manifest = try? readManifest(entry.digest) else { continue }
            liveBlobs.insert(manifest.config.digest)
            manifest.layers.forEach { liveBlobs.insert($0.digest) }
            if let config = try? readConfig(manifest.config.digest) {
                config.rootfs.diffIDs.forEach { liveLayers.insert($0) }
            }
            // The manifest a registry has for the name, and its compressed layers.
            if let origin = entry.annotations?[Annotation.distributionManifest].flatMap({ try? Digest(parsing: $0) }) {
                liveBlobs.insert(origin)
                if let registryManifest = try? readManifest(origin) {
                    liveBlobs.insert(registryManifest.config.digest)
                    registryManifest.layers.forEach { liveBlobs.insert($0.digest) }
                }
            }
        }
        // A container keeps what it was made from even if its image lost its index entry: the
        // config (its id) and the layers it mounts, with their blobs (a local layer blob is
        // stored uncompressed, so its digest is its diff_id).
        for id in users.images.keys { liveBlobs.insert(id) }
        for directory in users.layerDirectories where FileSystem.dirname(of: directory) == layout.layers {
            guard let diffID = try? Digest(parsing: "sha256:\(FileSystem.basename(of: directory))") else { continue }
            liveLayers.insert(diffID)
            liveBlobs.insert(diffID)
        }
        for digest in try blobs.allDigests() where !liveBlobs.contains(digest) {
            reclaimed.bytes += (try? blobs.size(of: digest)) ?? 0
            try blobs.remove(digest)
            reclaimed.blobs.append(digest)
        }
        for name in try FileSystem.contentsOfDirectory(layout.layers) {
            if name.hasPrefix(".") {
                // An unpack that never finished or a removal cut short: no one else can be
                // writing (we hold the lock).
                try FileSystem.removeTree("\(layout.layers)/\(name)")
                continue
            }
            guard let diffID = try? Digest(parsing: "sha256:\(name)"), !liveLayers.contains(diffID) else { continue }
            let path = "\(layout.layers)/\(name)"
            reclaimed.bytes += FileSystem.diskUsage(path)
            // Out of the way first, in one rename: a kill -9 in the middle of the removal
            // must not leave a partial layer under the name that LayerCache trusts.
            let doomed = "\(layout.layers)/.rm-\(name)"
            try FileSystem.removeTree(doomed)
            try FileSystem.rename(path, to: doomed)
            try FileSystem.removeTree(doomed)
            reclaimed.layers.append(diffID)
        }
        for name in try FileSystem.contentsOfDirectory(layout.temporary) {
            try FileSystem.removeTree("\(layout.temporary)/\(name)")
        }
        return reclaimed
    }

    /// `cell image prune [-a]`: removes dangling images (every unused one with `all`, or a
    /// `dangling=false` filter) that no container uses and `filter` admits (the config's creation
    /// time and labels), then collects garbage, all under the collection lock.
    public func prune(all: Bool, filter: PruneFilter = PruneFilter(),
                      users: () throws -> ImageUsers) throws -> (deleted: [RemovalEvent], reclaimed: Reclaimed) {
        try withCollectionLock {
            let users = try users()
            var events: [RemovalEvent] = []
            try NameIndex.update(layout) { index in
                var victims: [Digest: [String]] = [:]
                var entries: [Digest: Descriptor] = [:]
                var order: [Digest] = []
                for entry in index.entries {
                    guard let id = NameIndex.imageID(of: entry) ?? (try? readManifest(entry.digest).config.digest) else { continue }
                    if victims[id] == nil { order.append(id); victims[id] = []; entries[id] = entry }
                    if let name = NameIndex.name(of: entry) { victims[id]?.append(name) }
                }
                for id in order where users.images[id] == nil {
                    let names = victims[id] ?? []
                    guard all || filter.allImages || names.isEmpty, let entry = entries[id], admits(entry, filter) else { continue }
                    for name in names {
                        if let reference = try? ImageReference(parsing: name) { events.append(.untagged(reference.familiarName)) }
                    }
                    index.removeImage(id)
                    events.append(.deleted(id))
                }
            }
            return (events, try collectLocked(users: users))
        }
    }

    /// Whether `filter` lets the image of an index entry go: its creation time from the entry's
    /// annotation where cell wrote one, its labels (and else its time) from its config.
    private func admits(_ entry: Descriptor, _ filter: PruneFilter) -> Bool {
        var created = entry.annotations?[Annotation.created].flatMap { Timestamp(rfc3339: $0) }
        var labels: [String: String] = [:]
        if filter.looksAtLabels || (filter.until != nil && created == nil) {
            guard let config = try? readConfig(readManifest(entry.digest).config.digest) else { return false }
            created = created ?? config.created.flatMap { Timestamp(rfc3339: $0) }
            labels = config.config?.labels ?? [:]
        }
        return filter.admits(created: created, labels: labels)
    }
}
