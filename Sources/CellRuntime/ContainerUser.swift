#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// docker's `-u` (`name`, `uid`, `name:group`, `uid:gid`, `name:gid`...) resolved against a
/// container's /etc/passwd and /etc/group, as runc does it:
///
/// - a name must be in passwd; a number need not be (then gid 0 and home "/");
/// - an explicit group (name or number) replaces the primary one, and then no groups of
///   /etc/group are added; without one, every group there that lists the user by name is;
/// - the supplementary groups start with the primary one (Docker's fix for CVE-2022-36109)
///   and end with --group-add's (names looked up in /etc/group, or numbers).
public struct ContainerUser: Equatable, Sendable {
    public var uid: UInt32
    public var gid: UInt32
    public var additionalGids: [UInt32]
    /// From passwd ("/" when the user has no entry): the HOME an exec gets if it sets none.
    public var home: String

    public init(uid: UInt32, gid: UInt32, additionalGids: [UInt32] = [], home: String = "/") {
        self.uid = uid
        self.gid = gid
        self.additionalGids = additionalGids
        self.home = home
    }

    /// Resolves `user` with the passwd and group files' texts (empty when missing).
    public static func resolve(_ user: String, passwd: String, group: String, additionalGroups: [String] = []) throws -> ContainerUser {
        let parts = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let userPart = parts[0]
        let groupPart = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
        let users = passwd.split(separator: "\n").compactMap(PasswdEntry.init)
        let groups = group.split(separator: "\n").compactMap(GroupEntry.init)

        var result = ContainerUser(uid: 0, gid: 0)
        var name: String?
        if userPart.isEmpty {
            name = users.first { $0.uid == 0 }?.name ?? "root"
            if let entry = users.first(where: { $0.uid == 0 }) { result.home = entry.home }
        } else if let entry = users.first(where: { $0.name == userPart }) ?? UInt32(userPart).flatMap({ uid in users.first { $0.uid == uid } }) {
            result = ContainerUser(uid: entry.uid, gid: entry.gid, home: entry.home)
            name = entry.name
        } else if let uid = UInt32(userPart) {
            result.uid = uid
        } else {
            throw CellError(.setup, "unable to find user \(userPart): no matching entries in passwd file")
        }
        if let groupPart {
            if let entry = groups.first(where: { $0.name == groupPart }) {
                result.gid = entry.gid
            } else if let gid = UInt32(groupPart) {
                result.gid = gid
            } else {
                throw CellError(.setup, "unable to find group \(groupPart): no matching entries in group file")
            }
        }
        var supplementary = [result.gid]
        if groupPart == nil, let name {
            supplementary += groups.filter { $0.members.contains(name) }.map(\.gid)
        }
        for added in additionalGroups {
            if let entry = groups.first(where: { $0.name == added }) {
                supplementary.append(entry.gid)
            } else if let gid = UInt32(added) {
                supplementary.append(gid)
            } else {
                throw CellError(.setup, "Unable to find group \(added): no matching entries in group file")
            }
        }
        for gid in supplementary where !result.additionalGids.contains(gid) { result.additionalGids.append(gid) }
        try result.checkRange()
        return result
    }

    /// The highest id runc accepts. Above it lies (uid_t)-1, which setresuid and setresgid read
    /// as "leave unchanged": a process meant to run as 4294967295 would keep root and every
    /// capability. Refused wherever an id comes from: -u, USER, --group-add, a passwd entry.
    public static let maximumID: UInt32 = 2_147_483_647

    public func checkRange() throws {
        try ContainerUser.checkRange(uid: uid, gid: gid, additionalGids: additionalGids)
    }

    public static func checkRange(uid: UInt32, gid: UInt32, additionalGids: [UInt32]) throws {
        guard uid <= maximumID, gid <= maximumID, additionalGids.allSatisfy({ $0 <= maximumID }) else {
            throw CellError(.setup, "uids and gids must be in range 0-\(maximumID)")
        }
    }

    /// Resolves `user` against the files under `rootDirectory` (an fd of the container's root):
    /// every path is resolved inside that root, so a symlinked /etc/passwd cannot make us
    /// read a host file.
    public static func resolve(_ user: String, rootDirectory: Int32) throws -> ContainerUser {
        try resolve(user, passwd: readText(in: rootDirectory, "/etc/passwd") ?? "",
                    group: readText(in: rootDirectory, "/etc/group") ?? "")
    }

    /// A small text file inside `root` (an fd of a container's root or of one layer), every
    /// path resolved inside it: nil when missing, "" when it is not a regular file (a whiteout, a
    /// device node a running container made, which the host must never open), is a kernel file
    /// (a link to /proc/kmsg or /proc/1/pagemap would block or never end) or is too large.
    public static func readText(in root: Int32, _ path: String) throws -> String? {
        let pathFD = RootedPath.open(path, in: root, flags: OpenFlags.path)
        if pathFD == -ENOENT || pathFD == -ENOTDIR || pathFD == -ELOOP { return nil }
        if pathFD < 0 { throw CellError.system("open \(path) in the container: \(Syscall.errorString(-pathFD))") }
        defer { close(pathFD) }
        var st = stat()
        guard fstat(pathFD, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size < 16 << 20 else { return "" }
        do {
            let handle = FileDescriptorHandle(fd: try RegularFile.reopen(pathFD, flags: O_RDONLY, describing: path), path: path)
            return String(decoding: try handle.readToEnd(limit: 16 << 20), as: UTF8.self)
        } catch let error as CellError where error.kind == .invalidInput {
            return ""
        }
    }

    struct PasswdEntry {
        var name: String
        var uid: UInt32
        var gid: UInt32
        var home: String

        init?(_ line: Substring) {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 4, !line.hasPrefix("#"), let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) else { return nil }
            name = String(fields[0])
            self.uid = uid
            self.gid = gid
            home = fields.count > 5 && !fields[5].isEmpty ? String(fields[5]) : "/"
        }
    }

    struct GroupEntry {
        var name: String
        var gid: UInt32
        var members: [String]

        init?(_ line: Substring) {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 3, !line.hasPrefix("#"), let gid = UInt32(fields[2]) else { return nil }
            name = String(fields[0])
            self.gid = gid
            members = fields.count > 3 ? fields[3].split(separator: ",").map { String($0) } : []
        }
    }
}
