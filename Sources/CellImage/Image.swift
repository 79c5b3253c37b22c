import CellCore

/// One image of the store, as listings show it: an id (the config digest), its names, its
/// creation time and size.
public struct ImageSummary: Sendable {
    public var id: Digest
    public var manifest: Digest
    public var names: [ImageReference]
    public var created: Timestamp?
    public var size: Int64
    /// The manifest digests registries served for its names (`busybox@sha256:...`).
    public var repositoryDigests: [ImageReference: Digest] = [:]
    /// The manifests (compressed layers) registries have for its names, kept in the store.
    public var distributionManifests: [ImageReference: Digest] = [:]
}

/// An image resolved with its manifest and configuration, for inspect, history, save and run.
public struct Image: Sendable {
    public var summary: ImageSummary
    public var manifest: Manifest
    public var config: ImageConfig
    public var configBytes: [UInt8]

    public var id: Digest { summary.id }
    public var names: [ImageReference] { summary.names }
    public var layers: [Descriptor] { manifest.layers }
    public var diffIDs: [Digest] { config.rootfs.diffIDs }
}
