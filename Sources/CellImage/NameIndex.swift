import CellCore

/// index.json: the OCI index whose entries name the store's images. One entry per name, plus one
/// unnamed entry for each image that has lost all its names (docker's `<none>` images). Changed only
/// under the index lock, written atomically.
struct NameIndex {
    var entries: [Descriptor]

    static func read(_ layout: StoreLayout) throws -> NameIndex {
        guard let bytes = try FileSystem.readFileIfPresent(layout.indexFile) else {
            return NameIndex(entries: [])
        }
        let index = try StoredJSON.decode(ImageIndex.self, from: bytes, what: "\(layout.indexFile)")
        return NameIndex(entries: index.manifests)
    }

    func write(_ layout: StoreLayout) throws {
        try FileSystem.writeAtomically(try StoredJSON.encode(ImageIndex(manifests: entries)), to: layout.indexFile)
    }

    /// Read-modify-write under the exclusive index lock.
    static func update<T>(_ layout: StoreLayout, _ body: (inout NameIndex) throws -> T) throws -> T {
        let lock = try FileLock(path: layout.indexLock)
        return try lock.withLock {
            var index = try NameIndex.read(layout)
            let before = index.entries
            let result = try body(&index)
            // A rebuild that names what the name already names writes nothing.
            if index.entries != before { try index.write(layout) }
            return result
        }
    }

    static func name(of entry: Descriptor) -> String? {
        entry.annotations?[Annotation.imageName]
    }

    static func imageID(of entry: Descriptor) -> Digest? {
        entry.annotations?[Annotation.imageID].flatMap { try? Digest(parsing: $0) }
    }

    /// Points `reference` at the image; the image it named before, if it has no name left, stays
    /// as an unnamed entry.
    mutating func setName(_ reference: ImageReference, to image: ImageSummaryAnnotations, origin: RegistryOrigin? = nil) {
        let name = reference.description
        if let existing = entries.firstIndex(where: { NameIndex.name(of: $0) == name }) {
            let previous = entries[existing]
            // Already so (a cached rebuild): the entry stays as it is, with where a push put it.
            if previous.digest == image.manifest && origin == nil { return }
            entries.remove(at: existing)
            if NameIndex.imageID(of: previous) != image.id { keepUnnamedIfOrphaned(previous) }
        }
        entries.removeAll { NameIndex.name(of: $0) == nil && NameIndex.imageID(of: $0) == image.id }
        var annotations = image.annotations
        annotations[Annotation.imageName] = name
        if let tag = reference.tag { annotations[Annotation.refName] = tag }
        if let origin { origin.annotate(&annotations) }
        entries.append(Descriptor(mediaType: MediaType.ociManifest, digest: image.manifest, size: image.manifestSize,
                                  annotations: annotations))
    }

    /// Notes on `reference`'s entry where the registry has it.
    mutating func setOrigin(_ origin: RegistryOrigin, of reference: ImageReference) {
        guard let index = entries.firstIndex(where: { NameIndex.name(of: $0) == reference.description }) else { return }
        var annotations = entries[index].annotations ?? [:]
        origin.annotate(&annotations)
        entries[index].annotations = annotations
    }

    /// Adds an image with no name (a load of an untagged image, or a build without -t).
    mutating func addUnnamed(_ image: ImageSummaryAnnotations) {
        guard !entries.contains(where: { NameIndex.imageID(of: $0) == image.id }) else { return }
        entries.append(Descriptor(mediaType: MediaType.ociManifest, digest: image.manifest, size: image.manifestSize,
                                  annotations: image.annotations))
    }

    /// Removes one name; returns the removed entry.
    mutating func removeName(_ name: String) -> Descriptor? {
        guard let index = entries.firstIndex(where: { NameIndex.name(of: $0) == name }) else { return nil }
        return entries.remove(at: index)
    }

    mutating func keepUnnamedIfOrphaned(_ entry: Descriptor) {
        let id = NameIndex.imageID(of: entry)
        guard !entries.contains(where: { NameIndex.imageID(of: $0) == id }) else { return }
        var annotations = entry.annotations ?? [:]
        annotations[Annotation.imageName] = nil
        annotations[Annotation.refName] = nil
        var unnamed = entry
        unnamed.annotations = annotations
        entries.append(unnamed)
    }

    mutating func removeImage(_ id: Digest) {
        entries.removeAll { NameIndex.imageID(of: $0) == id }
    }
}

/// What an index entry records about its image so that listing needs no other file.
struct ImageSummaryAnnotations {
    var id: Digest
    var manifest: Digest
    var manifestSize: Int64
    var created: String?
    var size: Int64

    var annotations: [String: String] {
        var result = [Annotation.imageID: id.description, Annotation.size: String(size)]
        if let created { result[Annotation.created] = created }
        return result
    }
}

/// Where a name's image is in its registry: the digest the registry serves for the name (a
/// multi-platform index's, for one), and the image manifest with compressed layers that the
/// store keeps so that a push sends the very same bytes.
public struct RegistryOrigin: Sendable {
    public var repositoryDigest: Digest
    public var manifest: Digest

    public init(repositoryDigest: Digest, manifest: Digest) {
        self.repositoryDigest = repositoryDigest
        self.manifest = manifest
    }

    func annotate(_ annotations: inout [String: String]) {
        annotations[Annotation.repositoryDigest] = repositoryDigest.description
        annotations[Annotation.distributionManifest] = manifest.description
    }
}
