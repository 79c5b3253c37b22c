#if canImport(Glibc)
import Glibc
#endif
import CellArchive
import CellCore

extension ImageStore {
    /// A directory tree (an overlay upper directory, or a tree made for COPY) as a new layer:
    /// archived in a fixed order (names sorted, numeric owners, overlay whiteouts as OCI's,
    /// mtimes clamped to `clamp` when given) into an uncompressed blob hashed as it is
    /// written, so its digest is also its diff_id. Call inside `withWriteSession`.
    public func writeLayer(fromDirectory directory: String, clampModificationTime clamp: Timestamp? = nil,
                           skip: (@Sendable (String, stat) -> Bool)? = nil) throws -> Descriptor {
        let blob = try BlobWriter(store: blobs)
        let writer = try TarWriter(compression: .none) { bytes in try blob.write(bytes) }
        try DirectoryArchiver(convertOverlayWhiteouts: true, clampModificationTime: clamp, skip: skip).archive(directory, into: writer)
        try writer.finish()
        let (digest, size) = try blob.commit()
        return Descriptor(mediaType: MediaType.ociLayer, digest: digest, size: size)
    }

    /// Keeps `directory` (the tree a layer was just made from, overlay whiteouts and all) as
    /// that layer's unpacked copy, so the next step does not unpack the blob again. Moved by
    /// rename; when the layer is unpacked already the directory is deleted.
    public func adoptUnpackedLayer(_ directory: String, diffID: Digest) throws -> String {
        let destination = layout.layer(diffID)
        try FileSystem.createDirectory(layout.layers)
        if FileSystem.isDirectory(destination) || Glibc.rename(directory, destination) != 0 {
            try FileSystem.removeTree(directory)
        }
        return destination
    }

    /// Stores an image config (deterministic JSON); its digest is the id the image would have.
    public func storeConfig(_ config: ImageConfig) throws -> Descriptor {
        try config.config?.checkForNULBytes()
        return try blobs.write(try StoredJSON.encode(config), mediaType: MediaType.ociConfig)
    }

    /// A stored config by digest.
    public func config(_ digest: Digest) throws -> ImageConfig {
        try StoredJSON.decode(ImageConfig.self, from: try blobs.read(digest), what: "image config \(digest.shortHex)")
    }

    /// Whether every blob is in the store (a cached build step whose layers were collected is void).
    public func hasBlobs(_ digests: [Digest]) -> Bool {
        digests.allSatisfy { blobs.contains($0) }
    }
}
