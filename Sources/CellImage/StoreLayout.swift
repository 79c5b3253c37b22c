import CellCore

/// Where everything lives under the root (`--root`, `CELL_ROOT`, default /var/lib/cell). The
/// blobs and index.json form an OCI image layout, so other tools can read the store directly.
public struct StoreLayout: Sendable {
    public static let defaultRoot = "/var/lib/cell"

    public let root: String

    public init(root: String) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
    }

    public var blobs: String { "\(root)/blobs/sha256" }
    public var indexFile: String { "\(root)/index.json" }
    public var layoutFile: String { "\(root)/oci-layout" }
    public var layers: String { "\(root)/layers" }
    public var temporary: String { "\(root)/tmp" }
    public var locks: String { "\(root)/locks" }
    public var containers: String { "\(root)/containers" }
    public var containerNames: String { "\(root)/container-names" }
    /// Named and anonymous volumes: `<name>/_data` (what containers mount) and `<name>/volume.json`.
    public var volumes: String { "\(root)/volumes" }
    /// Shared by a container's creation from finding its volumes until its record is on disk,
    /// exclusive by `volume rm` and `prune` while they decide.
    public var volumesLock: String { "\(locks)/volumes.lock" }
    /// Networks: `<name>/network.json`, and `<name>/addresses/<IPv4>` naming the container each
    /// address is given to.
    public var networks: String { "\(root)/networks" }
    /// Shared by a container's creation from taking its addresses until its record is on disk,
    /// exclusive by `network rm` and `prune` while they decide.
    public var networksLock: String { "\(locks)/networks.lock" }
    /// Build steps' results by cache key, RUN --mount=type=cache directories, RUN containers.
    public var buildCache: String { "\(root)/build-cache" }
    public var buildCacheMounts: String { "\(root)/build-cache-mounts" }
    public var buildContainers: String { "\(root)/build" }
    /// Compiled seccomp programs, by profile and capabilities.
    public var seccompCache: String { "\(root)/seccomp" }

    /// Held shared by every writer of blobs, exclusive by garbage collection: a blob written but not
    /// yet named in index.json is never collected.
    public var collectionLock: String { "\(locks)/gc.lock" }
    /// Held exclusive around each read-modify-write of index.json.
    public var indexLock: String { "\(locks)/index.lock" }

    public func blob(_ digest: Digest) -> String { "\(blobs)/\(digest.hex)" }
    public func layer(_ diffID: Digest) -> String { "\(layers)/\(diffID.hex)" }

    /// Creates the directories and the oci-layout marker on first use.
    public func prepare() throws {
        for directory in [blobs, layers, temporary, locks] {
            try FileSystem.createDirectory(directory)
        }
        if !FileSystem.exists(layoutFile) {
            try FileSystem.writeAtomically(Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8), to: layoutFile)
        }
        // Under the index lock: a first command that found no index must not overwrite the one a
        // parallel first command has written since (its image would vanish).
        if !FileSystem.exists(indexFile) {
            try FileLock(path: indexLock).withLock {
                guard !FileSystem.exists(indexFile) else { return }
                try FileSystem.writeAtomically(try StoredJSON.encode(ImageIndex(manifests: [])), to: indexFile)
            }
        }
    }
}
