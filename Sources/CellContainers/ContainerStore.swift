#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage
import CellRuntime
import CellCgroups

/// Containers on disk: `<root>/containers/<id>/` holding config.json (the record), spec (for the
/// runtime), state (the monitor's), container.log, and the writable layer (upper/, work/).
/// Creation and naming happen under one lock; each container has its own lock so that two cell
/// commands on the same container are serialized.
public final class ContainerStore: @unchecked Sendable {
    public let layout: StoreLayout

    let names: ContainerNameIndex

    public init(layout: StoreLayout) throws {
        self.layout = layout
        names = ContainerNameIndex(directory: layout.containerNames, containers: layout.containers)
        try FileSystem.createDirectory(layout.containers)
        try FileSystem.createDirectory(layout.locks)
        if !FileSystem.isDirectory(layout.containerNames) {
            try FileLock(path: namesLock).withLock {
                guard !FileSystem.isDirectory(layout.containerNames) else { return }
                try names.rebuild(from: try list().map { ($0.name, $0.id) })
            }
        }
    }

    var namesLock: String { "\(layout.locks)/containers.lock" }

    public func directory(of id: String) -> String { "\(layout.containers)/\(id)" }

    // MARK: Reading

    /// Every container, newest first.
    public func list() throws -> [Container] {
        let containers = try list { try self.load(id: $0) }
        // The records of removed containers leave the cache the loads filled.
        ContainerRecordCache.shared.retain(only: Set(containers.map { "\($0.directory)/config.json" }))
        return containers
    }

    /// Every container as `ps` lists it, newest first: their records hold only what a listing
    /// shows and filters on (`ContainerListingRecord`), for a fraction of the decoding. Load a
    /// container whole (`load(id:)`) before acting on it.
    public func listForShowing() throws -> [Container] {
        try list { try self.loadSummarized(id: $0) }
    }

    /// The container `id` whose record holds only its summary's fields (`ContainerListingRecord`).
    private func loadSummarized(id: String) throws -> Container {
        let directory = self.directory(of: id)
        let path = "\(directory)/config.json"
        var source = stat()
        guard stat(path, &source) == 0 else { throw CellError.notFound("No such container: \(id)") }
        let listing: ContainerListingRecord
        if let bytes = try? FileSystem.readFileIfPresent("\(directory)/\(ContainerSummary.fileName)"),
           let summary = ContainerSummary.decode(bytes, source: source) {
            listing = summary
        } else {
            guard let bytes = try FileSystem.readFileIfPresent(path) else { throw CellError.notFound("No such container: \(id)") }
            listing = try StoredJSON.decode(ContainerListingRecord.self, from: bytes, what: path)
        }
        return Container(record: listing.partialRecord, directory: directory,
                         state: try? ContainerState.read(fromContainerDirectory: directory))
    }

    private func list(loading load: @escaping @Sendable (String) throws -> Container) throws -> [Container] {
        let ids = try FileSystem.contentsOfDirectory(layout.containers).filter { !$0.hasPrefix(".") }
        let loaded = LoadedContainers(count: ids.count)
        // Reading and decoding the records is most of a listing's time: on every core, when
        // there are enough of them to pay for the threads.
        let width = ids.count >= ContainerStore.parallelListingThreshold ? ProcessorCount.online : 1
        Parallel.forEach(ids.count, width: width) { index in
            loaded.store(try? load(ids[index]), at: index)
        }
        // A container is a large value (a retain per field at each copy): sorted by index, each
        // moved out of its slot once.
        var slots = loaded.take()
        let created = slots.map { $0?.record.created ?? "" }
        return slots.indices.sorted { created[$0] > created[$1] }.compactMap { slots[$0].take() }
    }

    static let parallelListingThreshold = 64

    /// One slot per container, each written by one thread only.
    private final class LoadedContainers: @unchecked Sendable {
        private let slots: UnsafeMutableBufferPointer<Container?>

        init(count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: nil)
        }

        deinit {
            slots.deinitialize()
            slots.deallocate()
        }

        /// The containers, moved out: the slots are left empty.
        func take() -> [Container?] {
            Array(unsafeUninitializedCapacity: slots.count) { buffer, count in
                _ = buffer.moveInitialize(fromContentsOf: slots)
                slots.initialize(repeating: nil)
                count = slots.count
            }
        }

        func store(_ container: Container?, at index: Int) { slots[index] = container }
    }

    public func load(id: String) throws -> Container {
        let directory = directory(of: id)
        let path = "\(directory)/config.json"
        guard let record = try ContainerRecordCache.shared.record(at: path) else {
            throw CellError.notFound("No such container: \(id)")
        }
        let state = try? ContainerState.read(fromContainerDirectory: directory)
        return Container(record: record, directory: directory, state: state)
    }

    /// By full id, exact name, or unique id prefix, as docker resolves them.
    public func resolve(_ reference: String) throws -> Container {
        guard let container = try find(reference) else {
            throw CellError.notFound("No such container: \(reference)")
        }
        return container
    }

    public func find(_ reference: String) throws -> Container? {
        try id(of: reference).map { try load(id: $0) }
    }

    /// As `resolve`, but the record holds only what `ps` shows (names, image, labels, ports,
    /// networks: its summary), read at a fraction of the cost: enough to join the container
    /// (`exec`) and to name it in events, not to start or change it.
    public func resolveSummarized(_ reference: String) throws -> Container {
        guard let id = try id(of: reference) else { throw CellError.notFound("No such container: \(reference)") }
        return try loadSummarized(id: id)
    }

    /// The id of the container `reference` names: by full id, exact name, or unique id prefix.
    private func id(of reference: String) throws -> String? {
        let wanted = reference.hasPrefix("/") ? String(reference.dropFirst()) : reference
        guard !wanted.isEmpty else { return nil }
        // Only hex makes a path of an id: `../` padded to 64 characters names no container.
        if wanted.utf8.count == 64, wanted.utf8.allSatisfy(Digest.isLowerHex), FileSystem.exists(directory(of: wanted)) {
            return wanted
        }
        if let id = names.id(named: wanted) { return id }
        // A unique prefix of an id: the directory names are the ids, no record needs reading.
        let matches = try FileSystem.contentsOfDirectory(layout.containers).filter { !$0.hasPrefix(".") && $0.hasPrefix(wanted) }
        if matches.count > 1 {
            throw CellError.notFound("multiple containers found with provided prefix: \(wanted)")
        }
        return matches.first
    }

    /// Whether a live container has this name.
    public func isNameInUse(_ name: String) -> Bool { names.id(named: name) != nil }

    /// Image ids used by any container (running or not), with one such container, and the
    /// layers they mount: what `rmi`, `image prune` and garbage collection leave alone. Call it
    /// under the collection lock (the image store's `users` closures are), which creation holds
    /// until its record is published, so no container is missed.
    public func imageUsers() throws -> ImageUsers {
        var users = ImageUsers()
        for container in try list() {
            if let digest = try? Digest(parsing: container.record.imageID) { users.images[digest] = container.id }
            users.layerDirectories.formUnion(container.record.layerDirectories)
        }
        return users
    }

    // MARK: Writing

    /// Creates the container's directory with its record, runtime spec (whose paths already name
    /// the final directory) and extra files (hosts, hostname, resolv.conf), atomically: it appears
    /// whole under its id, or not at all. A name already in use is refused.
    public func create(_ record: ContainerRecord, spec: ContainerSpec, encodedSpec: [UInt8]? = nil,
                       files: [String: [UInt8]] = [:]) throws -> Container {
        let lock = try FileLock(path: namesLock)
        return try lock.withLock {
            // Spread over the file system's groups: see `DirectorySpreading` (stores made
            // before it get the flag at their next creation).
            DirectorySpreading.spreadSubdirectories(of: layout.containers)
            if let other = names.id(named: record.name) {
                throw CellError(.conflict, ContainerStore.nameConflictMessage(record.name, usedBy: other))
            }
            let final = directory(of: record.id)
            let temporary = "\(layout.containers)/.tmp-\(record.id)"
            try FileSystem.removeTree(temporary)
            try FileSystem.createDirectory(temporary, mode: 0o700)
            do {
                for sub in ["upper", "work", "merged"] { try FileSystem.createDirectory("\(temporary)/\(sub)") }
                // New files in a directory nobody sees yet: no temporary names, and the
                // directory is synced once, before it is published by the rename.
                // A --rm container is not made durable: after a power cut it has nothing to keep.
                let durable = !spec.autoRemove
                // The /etc files are derived: `start` writes them again if a power cut lost them.
                for (name, bytes) in files { try FileSystem.writeNewFile(bytes, to: "\(temporary)/\(name)", durable: false) }
                try FileSystem.writeNewFile(encodedSpec ?? spec.encoded(), to: ContainerSpec.path(inContainerDirectory: temporary), mode: 0o600, durable: durable)
                try FileSystem.writeNewFile(try StoredJSON.encode(record), to: "\(temporary)/config.json", mode: 0o600, durable: durable)
                let written = writeSummary(of: record, in: temporary)
                if durable { try FileSystem.syncDirectory(temporary) }
                // The name first: until the directory appears under its id, it names nothing.
                try names.link(record.name, to: record.id)
                try Syscall.retrying("rename \(temporary)") { Glibc.rename(temporary, final) }
                if durable { try FileSystem.syncDirectory(layout.containers) }
                // Renaming the directory leaves the file's identity as it was.
                if let written { ContainerRecordCache.shared.remember(record, at: "\(final)/config.json", identity: written) }
            } catch {
                try? FileSystem.removeTree(temporary)
                names.unlink(record.name, from: record.id)
                throw error
            }
            return Container(record: record, directory: final, state: nil)
        }
    }

    private static let nameConflict = "Conflict."

    /// Docker's words for a name that another container holds.
    static func nameConflictMessage(_ name: String, usedBy other: String) -> String {
        "\(nameConflict) The container name \"/\(name)\" is already in use by container \"\(other)\". You have to remove (or rename) that container to be able to reuse that name."
    }

    /// Whether `create` refused the record's name as taken.
    public static func isNameConflict(_ error: CellError) -> Bool {
        error.kind == .conflict && error.message.hasPrefix("\(nameConflict) The container name")
    }

    /// Writes a changed record (`update`); the caller holds the container's lock.
    public func save(_ record: ContainerRecord) throws {
        try FileSystem.writeAtomically(try StoredJSON.encode(record), to: "\(directory(of: record.id))/config.json", mode: 0o600)
        writeSummary(of: record, in: directory(of: record.id))
    }

    /// `ps`'s summary of a record just written to config.json in `directory`. Not synced, and
    /// never an error: a summary that is missing or does not match its record is passed over.
    /// Returns the identity of that config.json.
    @discardableResult
    private func writeSummary(of record: ContainerRecord, in directory: String) -> FileIdentity? {
        var source = stat()
        guard stat("\(directory)/config.json", &source) == 0 else { return nil }
        if let bytes = try? ContainerSummary.encode(record, source: source) {
            try? FileSystem.writeAtomically(bytes, to: "\(directory)/\(ContainerSummary.fileName)", mode: 0o600, durable: false)
        }
        return FileIdentity(source)
    }

    /// Holds the container's own lock around `body` (start, stop, rm, ... one at a time).
    /// The lock file is in the container's directory, which `rm` renames away and deletes while
    /// holding it: a container removed before or while we waited is "No such container", and its
    /// directory is never created again for the lock.
    public func withLock<T>(_ container: Container, _ body: () throws -> T) throws -> T {
        guard let lock = try FileLock.inExistingDirectory("\(container.directory)/lock") else {
            throw CellError.notFound("No such container: \(container.id)")
        }
        return try lock.withLock(.exclusive) {
            guard lock.isStillAtItsPath else { throw CellError.notFound("No such container: \(container.id)") }
            return try body()
        }
    }

    /// Deletes a stopped container: its cgroup leftovers (it has none with --cgroups=disabled),
    /// then its directory.
    public func remove(_ container: Container) throws {
        if let cgroup = try? ContainerSpec.read(fromContainerDirectory: container.directory).cgroup {
            try? cgroup.killAll(timeout: 5)
            try? cgroup.remove(timeout: 5)
        }
        try FileLock(path: namesLock).withLock {
            names.unlink(container.name, from: container.id)
            sweep()
        }
        try ContainerRemoval.removeDirectory(container.directory)
    }

    /// The symlink that names a container called `name` (the monitor of a --rm container
    /// unlinks it).
    public func nameLink(for name: String) -> String { names.path(of: name) }

    /// Removes what a kill -9 left of creations (`.tmp-<id>`) and removals (`.rm-<id>`); called
    /// under the names lock, which every creation holds while its `.tmp-` directory exists. A
    /// removal still running deletes its `.rm-` tree beside us (removeTree tolerates that).
    func sweep() {
        for name in (try? FileSystem.contentsOfDirectory(layout.containers)) ?? []
        where name.hasPrefix(".rm-") || name.hasPrefix(".tmp-") {
            try? FileSystem.removeTree("\(layout.containers)/\(name)")
        }
    }
}

