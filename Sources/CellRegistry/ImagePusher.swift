#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// `cell push`: an image of the store into its name's registry.
///
/// The manifest sent is the one the registry side of the name already knows when there is one
/// (pulled, or pushed before: the very bytes, so the digest stays), else one made now with
/// the layers gzip-compressed (kept in the store, so the next push sends the same). Each blob
/// is checked first (`HEAD`: "Layer already exists"), mounted from another repository of the
/// same registry that has the image, or uploaded; the manifest goes last.
public struct ImagePusher: Sendable {
    public let store: ImageStore
    public var credentials: RegistryCredentials?
    /// Where credentials are looked up, by registry host, when `credentials` gives none.
    public var credentialStore: CredentialStore?
    /// Parallel blob uploads (Docker's default is 5).
    public var width = 5

    public init(store: ImageStore, credentials: RegistryCredentials? = nil, credentialStore: CredentialStore? = nil) {
        self.store = store
        self.credentials = credentials
        self.credentialStore = credentialStore
    }

    public struct Result: Sendable {
        /// The manifest's digest in the registry.
        public var digest: Digest
        public var size: Int
    }

    /// What is sent: the manifest's bytes and type, and each layer with the diff_id it shows as.
    struct Plan {
        var manifest: [UInt8]
        var mediaType: String
        var parsed: Manifest
        var diffIDs: [Digest]
    }

    public func push(_ reference: ImageReference, progress: @escaping @Sendable (PushProgress) -> Void) throws -> Result {
        guard let summary = try store.images().first(where: { $0.names.contains(reference) }) else {
            throw CellError.notFound("An image does not exist locally with the tag: \(reference.familiarRepository)")
        }
        return try push(summary, to: reference, progress: progress)
    }

    /// Podman's `push SOURCE DESTINATION`: the image `source` names (a name or an id) sent
    /// under another name, which the store need not have.
    public func push(_ source: String, to reference: ImageReference,
                     progress: @escaping @Sendable (PushProgress) -> Void) throws -> Result {
        guard let summary = try store.find(source) else { throw CellError.notFound("No such image: \(source)") }
        return try push(summary, to: reference, progress: progress)
    }

    private func push(_ summary: ImageSummary, to reference: ImageReference,
                      progress: @escaping @Sendable (PushProgress) -> Void) throws -> Result {
        let image = try store.load(summary)
        let found = try credentials ?? credentialStore?.credentials(for: reference)
        let repository = RegistryRepository(reference: reference, credentials: found, actions: "pull,push")
        progress(.refersTo(repository: reference.repository))
        let plan = try store.withWriteSession { try reusedPlan(image, summary, reference, repository) ?? composedPlan(image) }
        let ids = plan.diffIDs.map(\.shortHex)
        for id in ids.reversed() { progress(.layer(id: id, status: .preparing)) }
        let mountSources = summary.names.filter { $0.domain == reference.domain && $0.path != reference.path }.map(\.path)

        let failures = PushFailures()
        let layers = plan.parsed.layers
        let store = self.store
        Parallel.forEach(layers.count, width: width) { index in
            do {
                let status = try ImagePusher.send(layers[index], to: repository, from: store, mountingFrom: mountSources) { sent in
                    progress(.layer(id: ids[index], status: .pushing(current: sent, total: layers[index].size)))
                }
                progress(.layer(id: ids[index], status: status))
            } catch {
                failures.record(error)
            }
        }
        try failures.rethrow()
        _ = try ImagePusher.send(plan.parsed.config, to: repository, from: store, mountingFrom: mountSources) { _ in }
        let tag = reference.tag ?? ImageReference.defaultTag
        let digest = try repository.putManifest(plan.manifest, mediaType: plan.mediaType, as: tag)
        let kept = try store.blobs.write(plan.manifest, mediaType: plan.mediaType)
        // Noted on the name when the store has it (a push to a name of its own).
        if summary.names.contains(reference) {
            try store.recordOrigin(RegistryOrigin(repositoryDigest: digest, manifest: kept.digest), of: reference)
        }
        ImageEvents.record("push", id: image.id, name: reference.familiarName, layout: store.layout)
        progress(.pushed(tag: tag, digest: digest.description, size: plan.manifest.count))
        return Result(digest: digest, size: plan.manifest.count)
    }

    /// The manifest the registry side of the name has (kept since a pull or a push), if its
    /// blobs can all be had: from the store, or already in the target repository.
    private func reusedPlan(_ image: Image, _ summary: ImageSummary, _ reference: ImageReference,
                            _ repository: RegistryRepository) throws -> Plan? {
        let candidates = [summary.distributionManifests[reference]].compactMap { $0 } + summary.distributionManifests.values
        for digest in candidates {
            guard let bytes = try? store.blobs.read(digest),
                  let manifest = try? StoredJSON.decode(Manifest.self, from: bytes, what: "manifest \(digest)"),
                  manifest.config.digest == image.id, manifest.layers.count == image.diffIDs.count else { continue }
            let missing = manifest.layers.filter { !store.blobs.contains($0.digest) }
            guard reference.domain == (summary.distributionManifests.first { $0.value == digest }?.key.domain) || missing.isEmpty,
                  try missing.allSatisfy({ try repository.hasBlob($0.digest) }) else { continue }
            return Plan(manifest: bytes, mediaType: manifest.mediaType ?? MediaType.ociManifest, parsed: manifest, diffIDs: image.diffIDs)
        }
        return nil
    }

    /// A new OCI manifest with gzip layers, each compressed into the store.
    private func composedPlan(_ image: Image) throws -> Plan {
        let layers = try image.layers.map { layer in
            layer.mediaType == MediaType.ociLayer ? try store.storeCompressed(layer) : layer
        }
        var config = image.manifest.config
        config.mediaType = MediaType.ociConfig
        let manifest = Manifest(config: config, layers: layers)
        return Plan(manifest: try StoredJSON.encode(manifest), mediaType: MediaType.ociManifest, parsed: manifest, diffIDs: image.diffIDs)
    }

    /// One blob: there already, mounted, or uploaded from the store.
    private static func send(_ blob: Descriptor, to repository: RegistryRepository, from store: ImageStore,
                             mountingFrom sources: [String], progress: (Int64) -> Void) throws -> PushProgress.LayerStatus {
        if try repository.hasBlob(blob.digest) { return .alreadyExists }
        for source in sources where try repository.mountBlob(blob.digest, from: source) {
            return .mounted(from: source)
        }
        guard store.blobs.contains(blob.digest) else {
            throw CellError.notFound("blob \(blob.digest) is neither in the store nor in \(repository.name)")
        }
        try repository.upload(blob.digest, size: blob.size, from: store.layout.blob(blob.digest), progress: progress)
        return .pushed
    }

    /// The first error of the upload threads.
    private final class PushFailures: @unchecked Sendable {
        private var first: (any Error)?
        private var mutex = pthread_mutex_t()

        init() { pthread_mutex_init(&mutex, nil) }
        deinit { pthread_mutex_destroy(&mutex) }

        func record(_ error: any Error) {
            pthread_mutex_lock(&mutex)
            if first == nil { first = error }
            pthread_mutex_unlock(&mutex)
        }

        func rethrow() throws {
            if let first { throw first }
        }
    }
}
