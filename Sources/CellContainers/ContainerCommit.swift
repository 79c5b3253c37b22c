#if canImport(Glibc)
import Glibc
#endif
import CellCgroups
import CellCore
import CellImage
import CellRuntime

/// `docker commit`: a container's changes (its writable layer) as a new layer on its image,
/// with the container's configuration and `-c` changes as the image's. A running container is
/// paused for it by `ContainerStore.commit`, as Docker's, unless asked not to.
public enum ContainerCommit {
    /// `overrides`: the Engine API's body, a config whose set fields win over the container's
    /// (moby's merge), before the `changes`.
    public static func commit(_ container: Container, images: ImageStore, changes: [String] = [], message: String? = nil,
                              author: String? = nil, names: [ImageReference] = [], overrides: ContainerConfig? = nil,
                              now: Timestamp = .now()) throws -> Digest {
        // A writer from reading the image on: no collection deletes its blobs under the commit.
        try images.withWriteSession {
            try commitInSession(container, images: images, changes: changes, message: message, author: author,
                                names: names, overrides: overrides, now: now)
        }
    }

    private static func commitInSession(_ container: Container, images: ImageStore, changes: [String], message: String?,
                                        author: String?, names: [ImageReference], overrides: ContainerConfig?,
                                        now: Timestamp) throws -> Digest {
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
        if let overrides { runtime = merge(overrides, over: runtime) }
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

extension ContainerCommit {
    /// moby's commit merge: what `overrides` sets wins; environment, labels, ports and volumes
    /// are joined (its entries first); a command without an entrypoint keeps the container's
    /// entrypoint, and an empty one its command too.
    static func merge(_ overrides: ContainerConfig, over base: ContainerConfig) -> ContainerConfig {
        var merged = base
        if let user = overrides.user, !user.isEmpty { merged.user = user }
        if let ports = overrides.exposedPorts, !ports.isEmpty { merged.exposedPorts = (base.exposedPorts ?? [:]).merging(ports) { _, new in new } }
        if let env = overrides.env, !env.isEmpty {
            let keys = Set(env.map { String($0.prefix { $0 != "=" }) })
            merged.env = env + (base.env ?? []).filter { !keys.contains(String($0.prefix { $0 != "=" })) }
        }
        if let labels = overrides.labels, !labels.isEmpty { merged.labels = (base.labels ?? [:]).merging(labels) { _, new in new } }
        if let entrypoint = overrides.entrypoint, !entrypoint.isEmpty {
            merged.entrypoint = entrypoint
            merged.cmd = overrides.cmd
        } else if let cmd = overrides.cmd, !cmd.isEmpty {
            merged.cmd = cmd
        }
        if let directory = overrides.workingDir, !directory.isEmpty { merged.workingDir = directory }
        if let volumes = overrides.volumes, !volumes.isEmpty { merged.volumes = (base.volumes ?? [:]).merging(volumes) { _, new in new } }
        if let signal = overrides.stopSignal, !signal.isEmpty { merged.stopSignal = signal }
        return merged
    }
}

extension ContainerStore {
    /// docker commit: under the container's lock (no start, rm or cp meanwhile). `images` is
    /// opened once the lock is held. `pause` (Docker's default) freezes a running container for
    /// the time of the commit, so that its files are read at rest.
    public func commit(_ container: Container, images: () throws -> ImageStore, changes: [String] = [],
                       message: String? = nil, author: String? = nil, names: [ImageReference] = [],
                       overrides: ContainerConfig? = nil, pause: Bool = false) throws -> Digest {
        try withLock(container) {
            let current = try load(id: container.id)
            let frozen = pause ? ContainerStore.freezeForCommit(current) : nil
            defer { if let frozen { ContainerStore.thawAfterCommit(current, frozen) } }
            let id = try ContainerCommit.commit(current, images: images(), changes: changes, message: message, author: author,
                                                names: names, overrides: overrides)
            // moby's commit event: the comment, the new image and its name.
            Events.container("commit", current, ["comment": message ?? "", "imageID": id.description,
                                                 "imageRef": names.first?.familiarName ?? ""])
            return id
        }
    }

    /// Pauses it as `pause` does; nil when it does not run, is paused already or has no cgroup
    /// to freeze (--cgroups=disabled: read as it is).
    private static func freezeForCommit(_ container: Container) -> Cgroup? {
        guard container.isRunning, !container.isPaused,
              let cgroup = try? RunningContainer(containerDirectory: container.directory).cgroup(),
              (try? ContainerLifecycle.freeze(container, cgroup: cgroup)) != nil else { return nil }
        Events.container("pause", container)
        return cgroup
    }

    /// A thaw that fails leaves the container marked paused (for `unpause`), never frozen behind
    /// a running status.
    private static func thawAfterCommit(_ container: Container, _ cgroup: Cgroup) {
        guard (try? ContainerLifecycle.thaw(container)) != nil else { return }
        Events.container("unpause", container)
    }
}
