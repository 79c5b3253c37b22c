import CellCore
import CellImage

/// `system df`'s figures: each image's layers (a layer two images share counted once in the total,
/// as Docker's LayersSize), each container's writable layer, and what removing the unused ones
/// would free. Read without locks: a snapshot that a concurrent build or rm may make stale.
public struct DiskUsage: Sendable {
    public struct ImageUsage: Sendable {
        public var summary: ImageSummary
        /// Its layers' bytes.
        public var size: Int64
        /// The part of `size` in layers another image also has.
        public var sharedSize: Int64
        /// How many containers were made from it.
        public var containers: Int
    }

    public struct ContainerUsage: Sendable {
        public var container: Container
        /// The writable layer's bytes.
        public var size: Int64
    }

    public var images: [ImageUsage]
    /// Every layer once.
    public var imagesSize: Int64
    /// The layers no image with containers has.
    public var imagesReclaimable: Int64
    public var containers: [ContainerUsage]
    /// Each volume, with how many containers use it (LINKS) and the bytes in it.
    public var volumes: [VolumeUsage] = []

    public struct VolumeUsage: Sendable {
        public var volume: Volume
        public var links: Int
        public var size: Int64
    }

    public var volumesSize: Int64 { volumes.reduce(0) { $0 + $1.size } }
    public var activeVolumes: Int { volumes.filter { $0.links > 0 }.count }
    public var volumesReclaimable: Int64 { volumes.filter { $0.links == 0 }.reduce(0) { $0 + $1.size } }

    public var activeImages: Int { images.filter { $0.containers > 0 }.count }
    public var containersSize: Int64 { containers.reduce(0) { $0 + $1.size } }
    public var activeContainers: Int { containers.filter { $0.container.isRunning }.count }
    public var containersReclaimable: Int64 { containers.filter { !$0.container.isRunning }.reduce(0) { $0 + $1.size } }

    public init(containers: [Container], images store: ImageStore) throws {
        var users: [Digest: Int] = [:]
        for container in containers {
            if let id = try? Digest(parsing: container.record.imageID) { users[id, default: 0] += 1 }
        }
        var layersOf: [(ImageSummary, [Descriptor])] = []
        var seen = Set<Digest>()
        for summary in try store.images() where seen.insert(summary.id).inserted {
            // An image whose manifest is unreadable (being removed meanwhile) is left out.
            guard let image = try? store.load(summary) else { continue }
            layersOf.append((summary, image.layers))
        }
        var holders: [Digest: Int] = [:]
        var sizes: [Digest: Int64] = [:]
        for (_, layers) in layersOf {
            for layer in Set(layers.map(\.digest)) { holders[layer, default: 0] += 1 }
            for layer in layers { sizes[layer.digest] = layer.size }
        }
        var inUse = Set<Digest>()
        images = layersOf.map { summary, layers in
            let unique = Dictionary(layers.map { ($0.digest, $0.size) }, uniquingKeysWith: { first, _ in first })
            let count = users[summary.id] ?? 0
            if count > 0 { inUse.formUnion(unique.keys) }
            return ImageUsage(summary: summary, size: unique.values.reduce(0, +),
                              sharedSize: unique.filter { (holders[$0.key] ?? 0) > 1 }.values.reduce(0, +), containers: count)
        }
        imagesSize = sizes.values.reduce(0, +)
        imagesReclaimable = sizes.filter { !inUse.contains($0.key) }.values.reduce(0, +)
        self.containers = containers.map { ContainerUsage(container: $0, size: FileSystem.diskUsage("\($0.directory)/upper")) }
        var links: [String: Int] = [:]
        for container in containers {
            for mount in container.record.mountPoints ?? [] { links[mount.name, default: 0] += 1 }
        }
        let volumeStore = VolumeStore(layout: store.layout)
        volumes = try volumeStore.list().map {
            VolumeUsage(volume: $0, links: links[$0.name] ?? 0, size: volumeStore.size(of: $0.name))
        }
    }
}
