import CellCore

extension ContainerStore {
    /// `docker rename`: under the container's lock, then the names lock (the order `rm` takes
    /// them). The new name is linked, the record rewritten, the old name unlinked: a kill -9
    /// between any two steps leaves one link that the record contradicts, which names nothing
    /// (`ContainerNameIndex` believes the record) and is replaced when its name is next taken.
    public func rename(_ reference: String, to newName: String) throws {
        let container = try resolve(reference)
        try withLock(container) {
            try FileLock(path: namesLock).withLock {
                // Read again under the locks: a rename that finished while we waited counts.
                var record = try load(id: container.id).record
                let wanted = newName.hasPrefix("/") ? String(newName.dropFirst()) : newName
                guard wanted != record.name else {
                    throw CellError.invalidInput("Renaming a container with the same name as its current name")
                }
                guard NameGenerator.isValid(wanted) else {
                    throw CellError.invalidInput("\(Self.allocationFailure) Invalid container name (/\(wanted)), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
                }
                if let other = names.id(named: wanted) {
                    throw CellError(.conflict, "\(Self.allocationFailure) \(Self.nameConflictMessage(wanted, usedBy: other))")
                }
                let oldName = record.name
                try names.link(wanted, to: record.id)
                record.name = wanted
                try save(record)
                names.unlink(oldName, from: record.id)
                Events.record("rename", id: record.id, record: record, root: layout.root, ["oldName": "/" + oldName])
                // Its peers find it by its new name.
                let networks = NetworkStore(layout: layout)
                for name in (record.networks ?? [:]).keys {
                    if let network = try? networks.find(name) { NetworkHosts.join(record, network: network, store: networks) }
                }
            }
        }
    }

    private static let allocationFailure = "Error when allocating new name:"
}
