#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// What the large files of build contexts hashed to, keyed by what identifies a file's content
/// without reading it: device, inode, size, and modification and change times to the
/// nanosecond (as BuildKit keeps its content hashes). A rebuild whose 64 MB file did not change
/// reads none of it again. A write always moves the change time, and no one can set it back.
///
/// A file changed in the same instant as it was hashed could keep all its times on a file
/// system with whole-second timestamps; as git does with its "racily clean" entries, such a
/// file changed less than `settlingSeconds` before it was hashed is not remembered (the next
/// build is). File systems with nanosecond times (ext4, xfs, btrfs, tmpfs) have no such instant.
///
/// One file in the store, `<root>/build-context-digests`, a line per file; read at the start
/// of a build, merged and written atomically under its lock at the end; at most `capacity`
/// entries, this build's first. A damaged line is ignored: the cache only ever saves a read.
final class ContextFileDigests {
    /// Smaller files are read each time: reading them costs about what looking them up does.
    static let minimumSize: Int64 = 256 * 1024
    static let capacity = 4096
    static let settlingSeconds: Int64 = 2

    private let path: String
    private let lockPath: String
    private var known: [FileIdentity: Digest] = [:]
    private var remembered: [(FileIdentity, Digest)] = []

    init(layout: StoreLayout) {
        path = "\(layout.root)/build-context-digests"
        lockPath = "\(layout.locks)/build-context-digests.lock"
        known = Dictionary(ContextFileDigests.read(path), uniquingKeysWith: { first, _ in first })
    }

    /// The digest of the regular file that `st` describes: remembered, or `hash()`'s.
    func digest(of st: stat, hash: () throws -> Digest) rethrows -> Digest {
        let identity = FileIdentity(st)
        guard identity.size >= ContextFileDigests.minimumSize else { return try hash() }
        if let digest = known[identity] { return digest }
        let digest = try hash()
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let settled = (Int64(now.tv_sec) - ContextFileDigests.settlingSeconds) * 1_000_000_000
        let wholeSeconds = st.st_ctim.tv_nsec == 0 && st.st_mtim.tv_nsec == 0
        if !wholeSeconds || (identity.changed < settled && identity.modified < settled) {
            known[identity] = digest
            remembered.append((identity, digest))
        }
        return digest
    }

    /// Adds what this build hashed to the file (if anything), keeping the newest entries.
    func save() throws {
        guard !remembered.isEmpty else { return }
        let lock = try FileLock(path: lockPath)
        try lock.withLock {
            var seen = Set<FileIdentity>()
            var text = ""
            var count = 0
            for (identity, digest) in remembered.reversed() + ContextFileDigests.read(path)
            where count < ContextFileDigests.capacity && seen.insert(identity).inserted {
                text += identity.fields.joined(separator: " ") + " " + digest.hex + "\n"
                count += 1
            }
            try FileSystem.writeAtomically(Array(text.utf8), to: path, mode: 0o600, durable: false)
        }
        remembered = []
    }

    private static func read(_ path: String) -> [(FileIdentity, Digest)] {
        guard let bytes = try? FileSystem.readFileIfPresent(path) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 6, let identity = FileIdentity(fields: Array(fields[0..<5])),
                  let digest = try? Digest(parsing: "sha256:\(fields[5])") else { return nil }
            return (identity, digest)
        }
    }
}
