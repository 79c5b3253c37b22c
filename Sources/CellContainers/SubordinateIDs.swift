#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime

/// `--userns=auto`: a block of ids for a container, from the ranges /etc/subuid and /etc/subgid
/// give the user `containers` (podman's convention), not overlapping any other container's.
public enum SubordinateIDs {
    public static let user = "containers"
    public static let blockSize: UInt32 = 65536

    /// The ranges of `user` (by name or uid) in a subuid/subgid file's "name:start:count" lines.
    public static func ranges(in text: String, user: String = SubordinateIDs.user, uid: UInt32? = nil) -> [IDMapping.Range] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] == user || (uid.map { String($0) == fields[0] } ?? false),
                  let start = UInt32(fields[1]), let count = UInt32(fields[2]), count > 0 else { return nil }
            return IDMapping.Range(hostStart: start, size: count)
        }
    }

    /// The first block of `size` ids inside `available` that overlaps nothing in `used`.
    public static func allocate(_ size: UInt32, in available: [IDMapping.Range], avoiding used: [IDMapping.Range]) -> IDMapping.Range? {
        for range in available where range.size >= size {
            var start = UInt64(range.hostStart)
            let end = UInt64(range.hostStart) + UInt64(range.size)
            while start + UInt64(size) <= end {
                let candidate = IDMapping.Range(hostStart: UInt32(start), size: size)
                guard let clash = used.first(where: { $0.overlaps(candidate) }) else { return candidate }
                start = UInt64(clash.hostStart) + UInt64(clash.size)
            }
        }
        return nil
    }

    /// A mapping for a new container from /etc/subuid and /etc/subgid, avoiding `used`.
    public static func automatic(avoiding used: [IDMapping], subuid: String = "/etc/subuid", subgid: String = "/etc/subgid") throws -> IDMapping {
        func read(_ path: String) -> String {
            (try? FileSystem.readFileIfPresent(path)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        let uids = ranges(in: read(subuid)), gids = ranges(in: read(subgid))
        guard !uids.isEmpty, !gids.isEmpty else {
            throw CellError(.setup, "--userns=auto: no subordinate ids for user \"\(user)\" in \(subuid) and \(subgid) (add a line such as \(user):100000:655360 to each)")
        }
        guard let uid = allocate(blockSize, in: uids, avoiding: used.map(\.uids)),
              let gid = allocate(blockSize, in: gids, avoiding: used.map(\.gids)) else {
            throw CellError(.setup, "--userns=auto: the subordinate ids of user \"\(user)\" are all in use")
        }
        return IDMapping(uids: uid, gids: gid)
    }
}
