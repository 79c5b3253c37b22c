import CellArchive
import CellCore

/// One entry of `manifest.json` in a docker-archive (`docker save`, `podman save`).
struct DockerArchiveManifestEntry: Codable {
    var config: String
    var repoTags: [String]?
    var layers: [String]

    enum CodingKeys: String, CodingKey {
        case config = "Config"
        case repoTags = "RepoTags"
        case layers = "Layers"
    }
}

extension TarEntry {
    /// A plain file of an image archive: root-owned, 0644, at the epoch (so archives of the same
    /// images are byte-identical).
    static func archiveMember(path: String, size: Int64) -> TarEntry {
        TarEntry(path: path, kind: .regular, size: size, mode: 0o644, uid: 0, gid: 0,
                 modificationTime: Timestamp(seconds: 0))
    }
}
