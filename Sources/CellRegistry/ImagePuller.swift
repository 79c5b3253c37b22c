#if canImport(Glibc)
import Glibc
#endif
import CellArchive
import CellCore
import CellFormat
import CellImage

/// `cell pull`: an image from a registry into the store.
///
/// The manifest is fetched as served (for an index, the entry for the platform asked for),
/// the config and the layers are checked against their digests as they arrive; layers (three
/// at a time, as Docker) go to a private file, then are decompressed into the store, where they
/// must match the config's diff_ids. Layers the store already has are not fetched. Only when
/// every blob is in does the name move to the new image: a failed or killed pull leaves the
/// store as it was (the files it left in tmp/ are nobody's, and the next collection removes them).
///
/// A docker.io image is asked of each of the configured mirrors first, as Docker does, then of
/// Docker Hub. Credentials are those given, else the `credentialStore`'s for the host spoken to.
public struct ImagePuller: Sendable {
    public let store: ImageStore
    public var platform: PlatformSelector
    public var credentials: RegistryCredentials?
    /// Where credentials are looked up, by registry host, when `credentials` gives none.
    public var credentialStore: CredentialStore?
    /// Parallel layer downloads.
    public var width = 3

    public init(store: ImageStore, platform: PlatformSelector = .host, credentials: RegistryCredentials? = nil,
                credentialStore: CredentialStore? = nil) {
        self.store = store
        self.platform = platform
        self.credentials = credentials
        self.credentialStore = credentialStore
    }

    public struct Result: Sendable {
        /// The image id (its config's digest).
        public var id: Digest
        /// The digest of the manifest the registry served for the name (an index's, for a
        /// multi-platform image), as `Digest:` prints it.
        public var digest: Digest
        /// Nothing was fetched: the name already named this image.
        public var upToDate: Bool
    }

    public func pull(_ reference: ImageReference, progress: @escaping @Sendable (PullProgress) -> Void) throws -> Result {
        if reference.domain == ImageReference.defaultDomain {
            for mirror in try RegistryConfiguration.current().mirrors {
                // A mirror that fails (down, not caching this image, refusing us) is passed over:
                // a failed pull changed nothing in the store.
                if let result = try? pull(reference, from: try repository(for: reference, mirror: mirror), progress: progress) {
                    return result
                }
            }
        }
        return try pull(reference, from: try repository(for: reference), progress: progress)
    }

    /// The repository of `reference` at its registry or at `mirror`, with the credentials for that host.
    func repository(for reference: ImageReference, mirror: String? = nil) throws -> RegistryRepository {
        let found: RegistryCredentials?
        if let mirror {
            found = try credentialStore?.credentials(for: reference, host: RegistryHost.parts(ofURL: mirror)?.host)
        } else {
            found = try credentials ?? credentialStore?.credentials(for: reference)
        }
        return RegistryRepository(reference: reference, credentials: found, mirror: mirror)
    }

    private func pull(_ reference: ImageReference, from repository: RegistryRepository,
                      progress: @escaping @Sendable (PullProgress) -> Void) throws -> Result {
        let tagOrDigest = reference.digest ?? reference.tag ?? ImageReference.defaultTag
        let top = try repository.manifest(tagOrDigest)
        // As Docker: once the registry has answered with a manifest.
        progress(.pulling(tag: tagOrDigest, repository: reference.path))
        var manifestBytes = top
        if MediaType.isIndex(top.mediaType) {
            let index = try StoredJSON.decode(ImageIndex.self, from: top.bytes, what: "index of \(reference.familiarName)")
            let entry = try platform.choose(from: index, name: reference.familiarName)
            manifestBytes = try repository.manifest(entry.digest.description)
            guard MediaType.isManifest(manifestBytes.mediaType) else {
                throw CellError.invalidInput("\(reference.familiarName): the index entry for \(platform.description) is not an image manifest")
            }
        }
        let manifest = try StoredJSON.decode(Manifest.self, from: manifestBytes.bytes, what: "manifest of \(reference.familiarName)")
        try ImagePuller.checkLayers(manifest, name: reference.familiarName)

        if let current = try store.find(reference.description), current.id == manifest.config.digest {
            progress(.digest(top.digest.description))
            progress(.status("Image is up to date for \(reference.familiarName)"))
            return Result(id: current.id, digest: top.digest, upToDate: true)
        }
        return try store.withWriteSession {
            let configBytes = try repository.smallBlob(manifest.config)
            let config = try StoredJSON.decode(ImageConfig.self, from: configBytes, what: "image config \(manifest.config.digest)")
            do {
                try config.config?.checkForNULBytes()
            } catch let error as CellError {
                throw CellError(error.kind, "image config \(manifest.config.digest.shortHex) of \(reference.familiarName): \(error.message)")
            }
            guard config.rootfs.diffIDs.count == manifest.layers.count else {
                throw CellError.invalidInput("\(reference.familiarName) has \(manifest.layers.count) layers but its config lists \(config.rootfs.diffIDs.count) diff_ids")
            }
            let layers = try fetchLayers(manifest.layers, diffIDs: config.rootfs.diffIDs, from: repository, progress: progress)
            let configDescriptor = try store.blobs.write(configBytes, mediaType: MediaType.ociConfig)
            let names = reference.tag == nil ? [] : [ImageReference.tagOnly(reference)]
            // The registry's manifest is kept, with the compressed layers it names: a push
            // of the name sends the same bytes, and the registry keeps the same digest.
            let kept = try store.blobs.write(manifestBytes.bytes, mediaType: manifestBytes.mediaType)
            let id = try store.commitImage(configDescriptor: configDescriptor, created: config.created, layers: layers,
                                           names: names, origin: RegistryOrigin(repositoryDigest: top.digest, manifest: kept.digest))
            ImageEvents.record("pull", id: id, name: reference.familiarName, layout: store.layout)
            progress(.digest(top.digest.description))
            progress(.status("Downloaded newer image for \(reference.familiarName)"))
            return Result(id: id, digest: top.digest, upToDate: false)
        }
    }

    /// gzip, zstd and plain tar layers; Docker's foreign layers are not fetched from elsewhere.
    static func checkLayers(_ manifest: Manifest, name: String) throws {
        for layer in manifest.layers {
            let type = layer.mediaType
            if type.contains("foreign") || type.contains("nondistributable") {
                throw CellError.invalidInput("\(name) has a non-distributable layer (\(layer.digest)), which cell does not fetch from the URLs it names")
            }
            guard type.hasPrefix("application/vnd.oci.image.layer.v1.tar") || type.hasPrefix("application/vnd.docker.image.rootfs.diff.tar") else {
                throw CellError.invalidInput("\(name) has a layer of media type \(type), which is not an image layer")
            }
        }
    }

    /// The layers as the store keeps them (decompressed, by diff_id), in the manifest's order.
    private func fetchLayers(_ layers: [Descriptor], diffIDs: [Digest], from repository: RegistryRepository,
                             progress: @escaping @Sendable (PullProgress) -> Void) throws -> [Descriptor] {
        let results = LayerResults(count: layers.count)
        for (index, layer) in layers.enumerated() {
            progress(.layer(id: layer.digest.shortHex, status: store.blobs.contains(diffIDs[index]) ? .alreadyExists : .pullingFSLayer))
        }
        let store = self.store
        Parallel.forEach(layers.count, width: width) { index in
            let layer = layers[index], diffID = diffIDs[index]
            do {
                if !store.blobs.contains(diffID) {
                    try ImagePuller.fetch(layer, diffID: diffID, from: repository, into: store, progress: progress)
                }
                results.set(index, .success(Descriptor(mediaType: MediaType.ociLayer, digest: diffID, size: try store.blobs.size(of: diffID))))
            } catch {
                results.set(index, .failure(error))
            }
        }
        return try results.all()
    }

    /// One layer: downloaded and verified (kept as a blob, as the registry has it), then
    /// decompressed into the store under its diff_id.
    private static func fetch(_ layer: Descriptor, diffID: Digest, from repository: RegistryRepository, into store: ImageStore,
                              progress: @escaping @Sendable (PullProgress) -> Void) throws {
        let id = layer.digest.shortHex
        let compressed = store.layout.blob(layer.digest)
        if !store.blobs.contains(layer.digest) {
            try download(layer, from: repository, into: store, progress: progress)
        }
        progress(.layer(id: id, status: .extracting))
        let writer = try BlobWriter(store: store.blobs)
        try writer.writeDecompressed(from: compressed)
        try writer.commit(expected: diffID, what: "layer \(layer.digest) of \(repository.name) (decompressed)")
        progress(.layer(id: id, status: .pullComplete))
    }

    private static func download(_ layer: Descriptor, from repository: RegistryRepository, into store: ImageStore,
                                 progress: @escaping @Sendable (PullProgress) -> Void) throws {
        let id = layer.digest.shortHex
        let path = "\(store.layout.temporary)/pull-\(getpid())-\(FileSystem.randomSuffix())"
        let file = try FileDescriptorHandle(path: path, flags: O_RDWR | O_CREAT | O_EXCL, mode: 0o600)
        defer { unlink(path) }
        var reported: Int64 = 0
        try repository.download(layer, to: file) { received in
            // A line per 512 KiB at most: enough for a bar, not a flood.
            if received - reported >= 1 << 19 || received == layer.size {
                reported = received
                progress(.layer(id: id, status: .downloading(current: received, total: layer.size)))
            }
        }
        progress(.layer(id: id, status: .verifying))
        try file.sync()
        try store.blobs.adopt(path, as: layer.digest)
        progress(.layer(id: id, status: .downloadComplete))
    }

    /// Each layer's outcome, filled in by the download threads.
    private final class LayerResults: @unchecked Sendable {
        private var results: [Swift.Result<Descriptor, any Error>?]
        private var mutex = pthread_mutex_t()

        init(count: Int) {
            results = Array(repeating: nil, count: count)
            pthread_mutex_init(&mutex, nil)
        }

        deinit { pthread_mutex_destroy(&mutex) }

        func set(_ index: Int, _ result: Swift.Result<Descriptor, any Error>) {
            pthread_mutex_lock(&mutex)
            results[index] = result
            pthread_mutex_unlock(&mutex)
        }

        /// The descriptors, or the first layer's error.
        func all() throws -> [Descriptor] {
            try results.map { try $0!.get() }
        }
    }
}

extension ImageReference {
    /// The reference without its digest (what `images` lists for a `name:tag@digest` pull).
    static func tagOnly(_ reference: ImageReference) -> ImageReference {
        (try? ImageReference(parsing: "\(reference.repository):\(reference.tag ?? ImageReference.defaultTag)")) ?? reference
    }
}

extension ImagePuller {
    /// Whether the text a user typed names a tag (`busybox:1`, not `localhost:5000/busybox`).
    public static func namesTag(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":") else { return false }
        return !text[text.index(after: colon)...].contains("/")
    }

    /// `pull -a`: every tag of the repository (`GET /v2/<name>/tags/list`), sorted.
    public func allTags(of reference: ImageReference) throws -> [ImageReference] {
        let repository = try self.repository(for: reference)
        let response = try repository.send("GET", "tags/list")
        guard response.isSuccess else {
            if response.status == 404 { throw CellError.notFound("repository \(repository.name) not found: \(RegistryError.describe(response))") }
            throw CellError.system("tags of \(repository.name): \(RegistryError.describe(response))")
        }
        let tags = (try? JSONValue(parsing: response.body))?["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return try tags.sorted().map { try ImageReference(parsing: "\(reference.repository):\($0)") }
    }
}
