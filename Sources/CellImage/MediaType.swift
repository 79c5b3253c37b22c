/// The media types cell writes and reads (OCI image-spec, plus Docker's v2 schema 2 on input).
public enum MediaType {
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"

    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayer = "application/vnd.docker.image.rootfs.diff.tar"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"

    public static func isManifest(_ type: String?) -> Bool {
        type == ociManifest || type == dockerManifest
    }

    public static func isIndex(_ type: String?) -> Bool {
        type == ociIndex || type == dockerManifestList
    }
}

/// Annotations cell puts on index.json entries. The name is containerd's convention (a full
/// reference per entry), so one OCI layout holds many repositories; the summary keys let
/// `cell images` answer from index.json alone.
public enum Annotation {
    public static let imageName = "io.containerd.image.name"
    public static let refName = "org.opencontainers.image.ref.name"
    public static let imageID = "dev.cell.image.id"
    public static let created = "dev.cell.image.created"
    public static let size = "dev.cell.image.size"
    /// The digest of the manifest a registry served for this name (its RepoDigest).
    public static let repositoryDigest = "dev.cell.image.repo-digest"
    /// The image manifest as a registry has it (compressed layers), kept so that a push of the
    /// name sends the same bytes and the registry the same digest.
    public static let distributionManifest = "dev.cell.image.distribution-manifest"
}
