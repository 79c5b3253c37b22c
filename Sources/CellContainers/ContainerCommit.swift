#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage
import CellRuntime

/// `docker commit`: a container's changes (its writable layer) as a new layer on its image,
/// with the container's configuration and `-c` changes as the image's. A running container is
/// read as it is (docker pauses it; cell does not stop it, so commit a quiet one).
public enum ContainerCommit {
    public static func commit(_ container: Container, images: ImageStore, changes: [String] = [], message: String? = nil,
                              author: String? = nil, names: [ImageReference] = [], now: Timestamp = .now()) throws -> Digest {
        // A writer from reading the image on: no collection deletes its blobs under the commit.
        let id = try images.withWriteSession {
            try commitInSession(container, images: images, changes: changes, message: message, author: author,
                                names: names, now: now)
        }
        Events.container("commit", container, ["comment": message ?? "", "imageID": id.description])
        return id
    }

    private static func commitInSession(_ container: Container, images: ImageStore, changes: [String], message: String?,
                                        author: String?, names: [ImageReference], now: Timestamp) throws -> Digest {
        guard let summary = try images.find(container.record.imageID) else {
            throw CellError.notFound("the image of container \(container.shortID) (\(container.record.image)) is gone")
        }
        let image = try images.load(summary)
        let imageLayers = try images.unpackedLayers(of: image)
        var runtime = image.config.config ?? ContainerConfig()
        let record = container.record.config
        runtime.env = record.env
        runtime.cmd = record.cmd
        runtime.entrypoint = record.entrypoint
        runtime.workingDir = record.workingDir
        runtime.user = record.user.isEmpty ? nil : record.user
        runtime.labels = record.labels.isEmpty ? nil : record.labels
        runtime.exposedPorts = record.exposedPorts.isEmpty ? nil : Dictionary(uniqueKeysWithValues: record.exposedPorts.map { ($0, EmptyObject()) })
        runtime.volumes = record.volumes.isEmpty ? nil : Dictionary(uniqueKeysWithValues: record.volumes.map { ($0, EmptyObject()) })
        runtime.stopSignal = record.stopSignal
        try ConfigChange.apply(changes, to: &runtime)

        let upper = "\(container.directory)/upper"
        let layer = try images.writeLayer(fromDirectory: upper) { path, st in
            MountPointStubs.isStub(path, st, upperDirectory: upper, imageLayers: imageLayers)
        }
        var config = image.config
        config.config = runtime
        config.created = now.rfc3339Nano
        if let author, !author.isEmpty { config.author = author }
        config.rootfs.diffIDs.append(layer.digest)
        let createdBy = ([container.record.path] + container.record.args).joined(separator: " ")
        config.history = (config.history ?? []) + [
            History(created: config.created, createdBy: createdBy, comment: message?.isEmpty == false ? message : nil),
        ]
        return try images.commitImage(config: config, layers: image.layers + [layer], names: names)
    }
}

extension ContainerStore {
    /// docker commit: under the container's lock (no start, rm or cp meanwhile). `images` is
    /// opened once the lock is held.
    public func commit(_ container: Container, images: () throws -> ImageStore, changes: [String] = [],
                       message: String? = nil, author: String? = nil, names: [ImageReference] = []) throws -> Digest {
        try withLock(container) {
            try ContainerCommit.commit(container, images: images(), changes: changes, message: message, author: author,
                                       names: names)
        }
    }
}
