#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// The store's volumes: `volumes/<name>/_data`, what containers mount, and
/// `volumes/<name>/volume.json`. A volume appears whole (made under a temporary name and
/// renamed) and goes by a rename to `.rm-<name>` before it is deleted, so a kill -9 leaves one
/// whole or absent; what such a kill leaves under a dot name is swept by the next removal.
///
/// Whoever makes a container holds the volumes lock shared from finding its volumes until its
/// record is on disk; `volume rm` and `prune` hold it exclusive while they read the records and
/// delete: a volume is never removed from under a container being made.
public struct VolumeStore {
    public let layout: StoreLayout

    public init(layout: StoreLayout) {
        self.layout = layout
    }

    public func dataDirectory(of name: String) -> String { "\(layout.volumes)/\(name)/_data" }

    private func metadataPath(of name: String) -> String { "\(layout.volumes)/\(name)/volume.json" }

    /// Runs `body` as a user of volumes (a container's creation), or alone (removal).
    public func withLock<T>(_ mode: FileLock.Mode, _ body: () throws -> T) throws -> T {
        try FileSystem.createDirectory(layout.locks)
        return try FileLock(path: layout.volumesLock).withLock(mode, body)
    }

    public func find(_ name: String) throws -> Volume? {
        guard !name.hasPrefix("."), !name.contains("/"),
              let bytes = try FileSystem.readFileIfPresent(metadataPath(of: name)) else { return nil }
        return try StoredJSON.decode(Volume.self, from: bytes, what: "volume \(name)")
    }

    /// `volume create`: the volume, made if missing (an existing one is returned as it is, as
    /// Docker's local driver does), and whether it was made now.
    /// `anonymousName` is the name an anonymous one gets when the caller chose it already.
    @discardableResult
    public func create(_ name: String?, labels: [String: String] = [:], options: [String: String] = [:],
                       anonymousName: String? = nil) throws -> (Volume, created: Bool) {
        let chosen = name ?? anonymousName ?? VolumeName.anonymous()
        try VolumeName.check(chosen)
        try VolumeOptions.check(options, name: chosen)
        if let existing = try find(chosen) { return (existing, false) }
        try FileSystem.createDirectory(layout.volumes, mode: 0o700)
        // Anonymous volumes come and go with their containers: spread as the containers are.
        DirectorySpreading.spreadSubdirectories(of: layout.volumes)
        let volume = Volume(name: chosen, createdAt: Timestamp.now().rfc3339, labels: labels, options: options,
                            anonymous: name == nil)
        let temporary = "\(layout.volumes)/.tmp-\(chosen)-\(FileSystem.randomSuffix())"
        try FileSystem.createDirectory(temporary, mode: 0o701)
        do {
            // 0755 as Docker makes _data: a container's non-root user can read what it holds.
            try FileSystem.createDirectory("\(temporary)/_data", mode: 0o755)
            try FileSystem.writeNewFile(try StoredJSON.encode(volume), to: "\(temporary)/volume.json", mode: 0o600, durable: true)
            try FileSystem.syncDirectory(temporary)
            if Glibc.rename(temporary, "\(layout.volumes)/\(chosen)") != 0 {
                let code = errno
                try? FileSystem.removeTree(temporary)
                // Made meanwhile by another creation: that one is it.
                if (code == ENOTEMPTY || code == EEXIST), let existing = try find(chosen) { return (existing, false) }
                throw CellError.system("create volume \(chosen): \(Syscall.errorString(code))")
            }
            try FileSystem.syncDirectory(layout.volumes)
            Events.volume("create", name: chosen, root: layout.root)
        } catch {
            try? FileSystem.removeTree(temporary)
            throw error
        }
        return (volume, true)
    }

    public func list() throws -> [Volume] {
        guard FileSystem.exists(layout.volumes) else { return [] }
        return try FileSystem.contentsOfDirectory(layout.volumes).filter { !$0.hasPrefix(".") }.sorted().compactMap { try? find($0) }
    }

    /// Deletes the volume (the caller holds the lock exclusive and has checked no container
    /// uses it).
    public func remove(_ name: String) throws {
        let doomed = "\(layout.volumes)/.rm-\(name)-\(FileSystem.randomSuffix())"
        try Syscall.retrying("rename volume \(name)") { Glibc.rename("\(layout.volumes)/\(name)", doomed) }
        try FileSystem.removeTree(doomed)
        Events.volume("destroy", name: name, root: layout.root)
        sweepLeftovers()
    }

    /// Whether `_data` holds anything (a volume is filled from the image only when empty).
    public func isEmpty(_ name: String) throws -> Bool {
        try FileSystem.contentsOfDirectory(dataDirectory(of: name)).isEmpty
    }

    /// Bytes under `_data` (`system df -v`).
    public func size(of name: String) -> Int64 {
        FileSystem.diskUsage(dataDirectory(of: name))
    }

    /// Half-made or half-removed volumes of a killed command.
    private func sweepLeftovers() {
        for name in (try? FileSystem.contentsOfDirectory(layout.volumes)) ?? [] where name.hasPrefix(".tmp-") || name.hasPrefix(".rm-") {
            try? FileSystem.removeTree("\(layout.volumes)/\(name)")
        }
    }
}
