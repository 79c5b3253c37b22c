#if canImport(Glibc)
import Glibc
#endif
import CellCore

extension ImageStore {
    /// What a collection freed.
    public struct Reclaimed: Sendable {
        public var blobs: [Digest] = []
        public var layers: [Digest] = []
        public var bytes: Int64 = 0
    }

    /// Deletes blobs and unpacked layers that no image in index.json reaches, and temporary files
    /// that crashed writers left behind. Waits for writers to finish (exclusive collection lock).
    public func collectGarbage() throws -> Reclaimed {
        let lock = try FileLock(path: layout.collectionLock)
        return try lock.withLock(.exclusive) {
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
            }
            for digest in try blobs.allDigests() where !liveBlobs.contains(digest) {
                reclaimed.bytes += (try? blobs.size(of: digest)) ?? 0
                try blobs.remove(digest)
                reclaimed.blobs.append(digest)
            }
            for name in try FileSystem.contentsOfDirectory(layout.layers) {
                if name.hasPrefix(".") {
                    // An unpack that never finished: no one else can be writing (we hold the lock).
                    try FileSystem.removeTree("\(layout.layers)/\(name)")
                    continue
                }
                guard let diffID = try? Digest(parsing: "sha256:\(name)"), !liveLayers.contains(diffID) else { continue }
                let path = "\(layout.layers)/\(name)"
                reclaimed.bytes += FileSystem.diskUsage(path)
                try FileSystem.removeTree(path)
                reclaimed.layers.append(diffID)
            }
            for name in try FileSystem.contentsOfDirectory(layout.temporary) {
                try FileSystem.removeTree("\(layout.temporary)/\(name)")
            }
            return reclaimed
        }
    }

    /// `cell image prune [-a]`: removes dangling images (every unused one with `all`) that no
    /// container uses, then collects garbage.
    public func prune(all: Bool, inUse: Set<Digest>) throws -> (deleted: [RemovalEvent], reclaimed: Reclaimed) {
        var events: [RemovalEvent] = []
        try NameIndex.update(layout) { index in
            var victims: [Digest: [String]] = [:]
            var order: [Digest] = []
            for entry in index.entries {
                guard let id = NameIndex.imageID(of: entry) ?? (try? readManifest(entry.digest).config.digest) else { continue }
                if victims[id] == nil { order.append(id); victims[id] = [] }
                if let name = NameIndex.name(of: entry) { victims[id]?.append(name) }
            }
            for id in order where !inUse.contains(id) {
                let names = victims[id] ?? []
                guard all || names.isEmpty else { continue }
                for name in names {
                    if let reference = try? ImageReference(parsing: name) { events.append(.untagged(reference.familiarName)) }
                }
                index.removeImage(id)
                events.append(.deleted(id))
            }
        }
        return (events, try collectGarbage())
    }
}
