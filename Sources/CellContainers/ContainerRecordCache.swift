#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// Containers' records as decoded before, by the identity of the file they were read from. A
/// process that lists the store again and again (the Engine API's service: `docker ps`, a
/// dashboard polling `/containers/json`) would otherwise decode every config.json every time,
/// which is most of a listing's cost. A record is only ever replaced by rename(2) (temp file,
/// fsync, rename), so a file with the same device, inode, size and change times as one decoded
/// before holds the same record; anything else is read and decoded anew. The identity comes from
/// the descriptor the bytes are read through, so a rename between the look and the read cannot
/// pair old bytes with a new identity.
final class ContainerRecordCache: @unchecked Sendable {
    static let shared = ContainerRecordCache()

    private var entries: [String: (identity: FileIdentity, record: ContainerRecord)] = [:]
    private var mutex = pthread_mutex_t()

    private init() { pthread_mutex_init(&mutex, nil) }

    /// The record at `path`, or nil when there is no such file.
    func record(at path: String) throws -> ContainerRecord? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT {
                forget(path)
                return nil
            }
            throw CellError.system("open \(path): \(Syscall.errorString(errno))")
        }
        let file = FileDescriptorHandle(fd: fd, path: path)
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw CellError.system("stat \(path): \(Syscall.errorString(errno))") }
        let identity = FileIdentity(status)
        if let cached = cached(path), cached.identity == identity { return cached.record }
        let record = try StoredJSON.decode(ContainerRecord.self, from: try file.readToEnd(), what: path)
        store(path, identity: identity, record: record)
        return record
    }

    /// A record this process has just written to `path`, which had `identity` after the write:
    /// reading it back (`run` starts what it has just created) needs no decoding.
    func remember(_ record: ContainerRecord, at path: String, identity: FileIdentity) {
        store(path, identity: identity, record: record)
    }

    /// Keeps only the records of these paths: those of removed containers go.
    func retain(only paths: Set<String>) {
        locked { entries = entries.filter { paths.contains($0.key) } }
    }

    private func cached(_ path: String) -> (identity: FileIdentity, record: ContainerRecord)? {
        locked { entries[path] }
    }

    private func store(_ path: String, identity: FileIdentity, record: ContainerRecord) {
        locked { entries[path] = (identity, record) }
    }

    private func forget(_ path: String) {
        locked { _ = entries.removeValue(forKey: path) }
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
