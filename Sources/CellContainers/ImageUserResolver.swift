#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// Resolves docker's `-u` / USER (`name`, `uid`, `name:group`, `uid:gid`) against the image's
/// /etc/passwd and /etc/group, read from the unpacked layers (top layer first) before the
/// container runs. Supplementary groups are those that list the user, as docker adds them.
public struct ImageUserResolver {
    public struct User: Equatable, Sendable {
        public var uid: UInt32
        public var gid: UInt32
        public var additionalGids: [UInt32]
    }

    let layerDirectories: [String]

    public init(layerDirectories: [String]) {
        self.layerDirectories = layerDirectories
    }

    public func resolve(_ text: String) throws -> User {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let userPart = parts.first ?? ""
        let groupPart = parts.count > 1 ? parts[1] : nil
        let passwd = PasswdFile.parse(read("etc/passwd"))
        let groups = GroupFile.parse(read("etc/group"))

        var uid: UInt32 = 0
        var gid: UInt32 = 0
        var userName: String?
        if userPart.isEmpty {
            userName = passwd.first { $0.uid == 0 }?.name ?? "root"
        } else if let number = UInt32(userPart) {
            uid = number
            if let entry = passwd.first(where: { $0.uid == number }) {
                gid = entry.gid
                userName = entry.name
            }
        } else if let entry = passwd.first(where: { $0.name == userPart }) {
            uid = entry.uid
            gid = entry.gid
            userName = entry.name
        } else {
            throw CellError(.setup, "unable to find user \(userPart): no matching entries in passwd file")
        }
        if let groupPart, !groupPart.isEmpty {
            if let number = UInt32(groupPart) {
                gid = number
            } else if let group = groups.first(where: { $0.name == groupPart }) {
                gid = group.gid
            } else {
                throw CellError(.setup, "unable to find group \(groupPart): no matching entries in group file")
            }
        }
        var additional: [UInt32] = []
        if let userName, groupPart == nil || groupPart?.isEmpty == true {
            for group in groups where group.members.contains(userName) && group.gid != gid && !additional.contains(group.gid) {
                additional.append(group.gid)
            }
        }
        return User(uid: uid, gid: gid, additionalGids: additional)
    }

    /// The file from the topmost layer that has it; a whiteout hides lower copies. Symlinks are
    /// not followed (a layer's symlink points into the container, not the host).
    func read(_ relative: String) -> String {
        for layer in layerDirectories {
            let path = "\(layer)/\(relative)"
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFCHR { return "" }
            guard (st.st_mode & S_IFMT) == S_IFREG, st.st_size < 4 << 20,
                  let bytes = try? FileSystem.readFile(path) else { return "" }
            return String(decoding: bytes, as: UTF8.self)
        }
        return ""
    }
}

/// /etc/passwd lines: `name:password:uid:gid:gecos:home:shell`.
public enum PasswdFile {
    public struct Entry: Equatable, Sendable {
        public var name: String
        public var uid: UInt32
        public var gid: UInt32
        public var home: String
        public var shell: String
    }

    public static func parse(_ text: String) -> [Entry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 4, !line.hasPrefix("#"), let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) else { return nil }
            return Entry(name: String(fields[0]), uid: uid, gid: gid,
                         home: fields.count > 5 ? String(fields[5]) : "/", shell: fields.count > 6 ? String(fields[6]) : "")
        }
    }
}

/// /etc/group lines: `name:password:gid:member,member`.
public enum GroupFile {
    public struct Entry: Equatable, Sendable {
        public var name: String
        public var gid: UInt32
        public var members: [String]
    }

    public static func parse(_ text: String) -> [Entry] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 3, !line.hasPrefix("#"), let gid = UInt32(fields[2]) else { return nil }
            let members = fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : []
            return Entry(name: String(fields[0]), gid: gid, members: members)
        }
    }
}
