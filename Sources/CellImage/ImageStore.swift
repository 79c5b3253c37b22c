import CellCore
import CellEvents

/// The OCI image store: names → manifests → configs and layers, all content-addressed.
/// Safe for several cell processes at once: blobs are immutable and written by rename, index.json
/// changes under a lock, and garbage collection excludes writers.
public final class ImageStore: @unchecked Sendable {
    public let layout: StoreLayout
    public let blobs: BlobStore

    public init(root: String) throws {
        layout = StoreLayout(root: root)
        blobs = BlobStore(layout: layout)
        try layout.prepare()
    }

    // MARK: Listing and resolving

    /// Every image with its names, newest first.
    public func images() throws -> [ImageSummary] {
        try images(in: try NameIndex.read(layout))
    }

    /// Every name the store has in `repository`, by tag: what `push --all-tags` (and the API's
    /// push without a tag) sends.
    public func tags(of repository: String) throws -> [ImageReference] {
        try images().flatMap(\.names).filter { $0.repository == repository }.sorted { ($0.tag ?? "") < ($1.tag ?? "") }
    }

    /// The images an index names (one read under the index lock, for a decision made on it).
    private func images(in index: NameIndex) throws -> [ImageSummary] {
        // By the id's text: a dictionary keyed by Digest would cost every run a scan of the
        // binary's protocol conformances for Digest's Hashable.
        var byID: [String: ImageSummary] = [:]
        var order: [String] = []
        for entry in index.entries {
            let summary = try summary(of: entry)
            let key = summary.id.description
            if var existing = byID[key] {
                existing.names.append(contentsOf: summary.names)
                existing.repositoryDigests.merge(summary.repositoryDigests) { $1 }
                existing.distributionManifests.merge(summary.distributionManifests) { $1 }
                byID[key] = existing
            } else {
                byID[key] = summary
                order.append(key)
            }
        }
        return order.compactMap { byID[$0] }.sorted { lhs, rhs in
            (lhs.created ?? Timestamp(seconds: 0)) > (rhs.created ?? Timestamp(seconds: 0))
        }
    }

    private func summary(of entry: Descriptor) throws -> ImageSummary {
        let names = NameIndex.name(of: entry).flatMap { try? ImageReference(parsing: $0) }.map { [$0] } ?? []
        if let id = NameIndex.imageID(of: entry), let sizeText = entry.annotations?[Annotation.size],
           let size = Int64(sizeText) {
            let created = entry.annotations?[Annotation.created].flatMap { Timestamp(rfc3339: $0) }
            var summary = ImageSummary(id: id, manifest: entry.digest, names: names, created: created, size: size)
            if let name = names.first {
                func digest(_ key: String) -> Digest? { entry.annotations?[key].flatMap { try? Digest(parsing: $0) } }
                summary.repositoryDigests[name] = digest(Annotation.repositoryDigest)
                summary.distributionManifests[name] = digest(Annotation.distributionManifest)
            }
            return summary
        }
        // An entry written by another tool: read its manifest once.
        let manifest = try readManifest(entry.digest)
        let config = try readConfig(manifest.config.digest)
        return ImageSummary(id: manifest.config.digest, manifest: entry.digest, names: names,
                            created: config.created.flatMap { Timestamp(rfc3339: $0) },
                            size: manifest.layers.reduce(0) { $0 + $1.size })
    }

    /// Finds an image by name (`busybox`, `busybox:1`), full id, or unique id prefix, as docker does.
    public func resolve(_ text: String) throws -> Image {
        guard let summary = try find(text) else {
            throw CellError.notFound("No such image: \(ImageStore.displayName(text))")
        }
        return try load(summary)
    }

    /// Like `resolve`, without reading manifest and config; nil when nothing matches.
    public func find(_ text: String) throws -> ImageSummary? {
        try find(text, in: try NameIndex.read(layout))
    }

    private func find(_ text: String, in index: NameIndex) throws -> ImageSummary? {
        let all = try images(in: index)
        if let reference = try? ImageReference(parsing: text),
           let match = all.first(where: { $0.names.contains(reference) }) {
            return match
        }
        var prefix = text
        if prefix.hasPrefix("sha256:") { prefix.removeFirst("sha256:".count) }
        guard !prefix.isEmpty, prefix.utf8.count <= 64, prefix.utf8.allSatisfy(Digest.isLowerHex) else { return nil }
        let matches = all.filter { $0.id.hex.hasPrefix(prefix) }
        return matches.count == 1 ? matches[0] : nil
    }

    public func load(_ summary: ImageSummary) throws -> Image {
        let manifest = try readManifest(summary.manifest)
        let configBytes = try blobs.read(manifest.config.digest)
        let config = try StoredJSON.decode(ImageConfig.self, from: configBytes, what: "image config \(manifest.config.digest)")
        return Image(summary: summary, manifest: manifest, config: config, configBytes: configBytes)
    }

    public func readManifest(_ digest: Digest) throws -> Manifest {
        try StoredJSON.decode(Manifest.self, from: try blobs.read(digest), what: "manifest \(digest)")
    }

    func readConfig(_ digest: Digest) throws -> ImageConfig {
        try StoredJSON.decode(ImageConfig.self, from: try blobs.read(digest), what: "image config \(digest)")
    }

    /// How docker echoes a name the user typed in errors: `busybox` → `busybox:latest`.
    static func displayName(_ text: String) -> String {
        if let reference = try? ImageReference(parsing: text), !text.contains("@") {
            return reference.familiarName
        }
        return text
    }

    // MARK: Writing images

    /// Runs `body` as a writer of blobs: garbage collection waits until it is done.
    public func withWriteSession<T>(_ body: () throws -> T) throws -> T {
        try withCollectionLock(.shared, body)
    }

    /// A write session held until the returned lock is unlocked (or released with it), for
    /// work that spans more than one call: no collection empties tmp/ or deletes blobs meanwhile.
    public func openWriteSession() throws -> FileLock {
        let lock = try FileLock(path: layout.collectionLock)
        try lock.lock(.shared)
        return lock
    }

    /// Stores config and manifest for layers already in the store and names the image.
    /// Call inside `withWriteSession`. Returns the image id.
    @discardableResult
    public func commitImage(config: ImageConfig, layers: [Descriptor], names: [ImageReference]) throws -> Digest {
        try config.config?.checkForNULBytes()
        let configDescriptor = try blobs.write(try StoredJSON.encode(config), mediaType: MediaType.ociConfig)
        return try commitImage(configDescriptor: configDescriptor, created: config.created, layers: layers, names: names)
    }

    /// Names an image whose config blob is already stored (as loaded: its bytes are kept as they came).
    @discardableResult
    public func commitImage(configDescriptor: Descriptor, created: String?, layers: [Descriptor],
                            names: [ImageReference], origin: RegistryOrigin? = nil) throws -> Digest {
        var config = configDescriptor
        config.mediaType = MediaType.ociConfig
        let manifest = try blobs.write(try StoredJSON.encode(Manifest(config: config, layers: layers)),
                                       mediaType: MediaType.ociManifest)
        let summary = ImageSummaryAnnotations(id: config.digest, manifest: manifest.digest, manifestSize: manifest.size,
                                              created: created, size: layers.reduce(0) { $0 + $1.size })
        try NameIndex.update(layout) { index in
            if names.isEmpty {
                index.addUnnamed(summary)
            }
            for name in names { index.setName(name, to: summary, origin: origin) }
        }
        return config.digest
    }

    /// Records where `name` now is in its registry (after a push): the manifest digest the
    /// registry answers with, and the manifest pushed, kept for the next push.
    public func recordOrigin(_ origin: RegistryOrigin, of name: ImageReference) throws {
        try NameIndex.update(layout) { index in index.setOrigin(origin, of: name) }
    }

    // MARK: Names

    /// `cell tag SOURCE TARGET`
    public func tag(_ source: String, as target: String) throws {
        let reference = try ImageReference(parsing: target)
        guard reference.digest == nil else {
            throw CellError.usage("refusing to create a tag with a digest reference")
        }
        // A writer of the store, so that no collection deletes the image's blobs between the check
        // and the new name; resolved on the index it changes, so the name goes to what the source
        // names at that moment.
        try withWriteSession {
            try NameIndex.update(layout) { index in
                guard let summary = try find(source, in: index) else {
                    throw CellError.notFound("No such image: \(ImageStore.displayName(source))")
                }
                let image = try load(summary)
                let manifestSize = try blobs.size(of: summary.manifest)
                index.setName(reference, to: ImageSummaryAnnotations(
                    id: image.id, manifest: summary.manifest, manifestSize: manifestSize,
                    created: image.config.created, size: summary.size))
                ImageEvents.record("tag", id: image.id, name: reference.familiarName, layout: layout)
            }
        }
    }

    /// What `rmi` did, in the order docker prints it.
    public enum RemovalEvent: Equatable, Sendable {
        case untagged(String)
        case deleted(Digest)
    }

    /// `cell rmi [-f]`: untags a name, or removes an image by id. An image that loses its last
    /// name is deleted unless a container uses it (`users`), then garbage is collected.
    ///
    /// The decision and the collection are made under the exclusive collection lock, on the
    /// index read under the index lock: no container is being created from the image meanwhile
    /// (creation holds the collection lock shared), and a name another command has just moved
    /// to a new image is judged by what it names now. A caller inside a write session (which
    /// cannot take the lock exclusively) passes `collect: false`: the images are only dropped
    /// from the index, as a writer, and the next collection frees their files; a container
    /// made from one meanwhile keeps its layers all the same (collection keeps what containers use).
    public func remove(_ text: String, force: Bool, users: () throws -> ImageUsers, collect: Bool = true) throws -> [RemovalEvent] {
        // Alone on the store to collect; else as one writer among others.
        return try withCollectionLock(collect ? .exclusive : .shared) {
            let users = try users()
            let events = try NameIndex.update(layout) { index in
                try decideRemoval(text, force: force, inUse: users.images, in: &index)
            }
            if collect, events.contains(where: { if case .deleted = $0 { return true } else { return false } }) {
                _ = try collectLocked(users: users)
            }
            for event in events {
                switch event {
                case .untagged(let name): ImageEvents.record("untag", id: nil, name: name, layout: layout)
                case .deleted(let id): ImageEvents.record("delete", id: id, name: nil, layout: layout)
                }
            }
            return events
        }
    }

    private func decideRemoval(_ text: String, force: Bool, inUse: [Digest: String], in index: inout NameIndex) throws -> [RemovalEvent] {
        guard let summary = try find(text, in: index) else {
            throw CellError.notFound("No such image: \(ImageStore.displayName(text))")
        }
        let reference = try? ImageReference(parsing: text)
        let byName = reference.map { summary.names.contains($0) } ?? false
        var events: [RemovalEvent] = []
        if byName, let reference {
            if let container = inUse[summary.id], summary.names.count == 1, !force {
                throw CellError.conflict("conflict: unable to remove repository reference \"\(text)\" (must force) - container \(container.prefix(12)) is using its referenced image \(summary.id.shortHex)")
            }
            _ = index.removeName(reference.description)
            events.append(.untagged(reference.familiarName))
            if summary.names.count > 1 { return events }
        } else {
            if summary.names.count > 1 && !force {
                throw CellError.conflict("conflict: unable to delete \(summary.id.shortHex) (must be forced) - image is referenced in multiple repositories")
            }
            if let container = inUse[summary.id], !force {
                throw CellError.conflict("conflict: unable to delete \(summary.id.shortHex) (must be forced) - image is being used by container \(container.prefix(12))")
            }
            for name in summary.names {
                _ = index.removeName(name.description)
                events.append(.untagged(name.familiarName))
            }
        }
        if inUse[summary.id] != nil {
            // Untagged but used: it stays as a dangling image, as docker keeps it.
            if let entry = index.entries.first(where: { NameIndex.imageID(of: $0) == summary.id }) {
                index.keepUnnamedIfOrphaned(entry)
            } else {
                index.addUnnamed(ImageSummaryAnnotations(id: summary.id, manifest: summary.manifest,
                    manifestSize: (try? blobs.size(of: summary.manifest)) ?? 0,
                    created: summary.created?.rfc3339Nano, size: summary.size))
            }
            return events
        }
        index.removeImage(summary.id)
        events.append(.deleted(summary.id))
        return events
    }
}
