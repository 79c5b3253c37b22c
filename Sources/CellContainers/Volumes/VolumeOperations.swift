import CellCore
import CellImage
import CellRuntime

/// `cell volume ...`: the store's volumes beside the containers that use them. A volume is in
/// use while any container's record (running or not) names it, as in Docker; removal decides
/// under the volumes lock held exclusive, so that no container is being made with it meanwhile.
public struct VolumeOperations {
    public let volumes: VolumeStore
    public let containers: ContainerStore

    public init(root: String) throws {
        let layout = StoreLayout(root: root)
        volumes = VolumeStore(layout: layout)
        containers = try ContainerStore(layout: layout)
    }

    /// Volume name → the ids of the containers whose records name it.
    public func users() throws -> [String: [String]] {
        var users: [String: [String]] = [:]
        for container in try containers.list() {
            for mount in container.record.mountPoints ?? [] { users[mount.name, default: []].append(container.id) }
        }
        return users
    }

    /// `volume rm`: Docker's refusals for one in use (naming the containers) or missing (but
    /// with `force`).
    public func remove(_ name: String, force: Bool) throws {
        try volumes.withLock(.exclusive) {
            guard try volumes.find(name) != nil else {
                if force { return }
                throw CellError.notFound("get \(name): no such volume")
            }
            if let using = try users()[name], !using.isEmpty {
                throw CellError.conflict("remove \(name): volume is in use - [\(using.joined(separator: ", "))]")
            }
            try volumes.remove(name)
        }
    }

    /// `volume prune`: the unused volumes (anonymous ones only unless `all`, as Docker 23 on)
    /// that `filter` keeps; their names and the bytes freed.
    public func prune(all: Bool, filter: (Volume) -> Bool = { _ in true }) throws -> (removed: [String], bytes: Int64) {
        try volumes.withLock(.exclusive) {
            let used = try users()
            var removed: [String] = []
            var bytes: Int64 = 0
            for volume in try volumes.list() where (all || volume.anonymous) && used[volume.name] == nil && filter(volume) {
                bytes += volumes.size(of: volume.name)
                try volumes.remove(volume.name)
                removed.append(volume.name)
            }
            return (removed, bytes)
        }
    }

    /// `volume prune --filter`: Docker's prune keys (label, label!, until) and `all=true`, the
    /// filter's spelling of -a (API 1.42 on).
    public func prune(all: Bool, filters: [(key: String, value: String)]) throws -> (removed: [String], bytes: Int64) {
        let allByFilter = filters.contains { $0.key == "all" && ["true", "1"].contains($0.value) }
        let filter = try PruneFilter(filters.filter { $0.key != "all" }, for: .containers)
        return try prune(all: all || allByFilter) { filter.admits(created: Timestamp(rfc3339: $0.createdAt), labels: $0.labels) }
    }

    /// After a container is gone (`rm -v`, or a `--rm` one): its anonymous volumes that no
    /// other container uses.
    public func removeAnonymousVolumes(of record: ContainerRecord) throws {
        let anonymous = (record.mountPoints ?? []).filter(\.anonymous).map(\.name)
        guard !anonymous.isEmpty else { return }
        try volumes.withLock(.exclusive) {
            let used = try users()
            for name in anonymous where used[name] == nil && (try? volumes.find(name)) != nil {
                try volumes.remove(name)
            }
        }
    }
}
