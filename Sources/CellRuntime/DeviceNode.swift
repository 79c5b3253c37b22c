#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import CellCgroups

/// A device node the child makes in the container's /dev.
public struct DeviceNode: Equatable, Sendable {
    public var path: String
    public var kind: DeviceRule.Kind
    public var major: UInt32
    public var minor: UInt32
    public var permissions: UInt32
    public var uid: UInt32
    public var gid: UInt32

    public init(path: String, kind: DeviceRule.Kind, major: UInt32, minor: UInt32, permissions: UInt32 = 0o666, uid: UInt32 = 0, gid: UInt32 = 0) {
        self.path = path
        self.kind = kind
        self.major = major
        self.minor = minor
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
    }

    /// Docker's /dev: null, zero, full, random, urandom, tty (ptmx is a link to pts/ptmx).
    public static let dockerDefaults: [DeviceNode] = [
        DeviceNode(path: "/dev/null", kind: .character, major: 1, minor: 3),
        DeviceNode(path: "/dev/zero", kind: .character, major: 1, minor: 5),
        DeviceNode(path: "/dev/full", kind: .character, major: 1, minor: 7),
        DeviceNode(path: "/dev/random", kind: .character, major: 1, minor: 8),
        DeviceNode(path: "/dev/urandom", kind: .character, major: 1, minor: 9),
        DeviceNode(path: "/dev/tty", kind: .character, major: 5, minor: 0),
    ]

    /// The rule that lets the container use this node with `access`.
    public func rule(_ access: DeviceRule.Access = .all) -> DeviceRule {
        DeviceRule(kind, major, minor, access)
    }

    /// The host's node at `hostPath` (symlinks followed, as `docker run --device` does), to be
    /// made at `containerPath`.
    public init(hostPath: String, containerPath: String) throws {
        var st = stat()
        guard stat(hostPath, &st) == 0 else {
            throw CellError.usage("error gathering device information while adding custom device \"\(hostPath)\": \(Syscall.errorString(errno))")
        }
        let type = st.st_mode & S_IFMT
        guard type == S_IFCHR || type == S_IFBLK else {
            throw CellError.usage("error gathering device information while adding custom device \"\(hostPath)\": not a device node")
        }
        self.init(path: containerPath, kind: type == S_IFCHR ? .character : .block,
                  major: DeviceNode.major(st.st_rdev), minor: DeviceNode.minor(st.st_rdev),
                  permissions: st.st_mode & 0o7777, uid: st.st_uid, gid: st.st_gid)
    }

    /// --privileged: every character and block device of the host's /dev (below it too), but
    /// the terminals and the nodes /dev gets anyway, as Docker lists them for a privileged
    /// container.
    public static func hostDevices(under root: String = "/dev") -> [DeviceNode] {
        let skippedDirectories: Set<String> = ["pts", "shm", "mqueue", "fd", ".lxc", ".lxd-mounts", ".udev"]
        let skippedNames = Set(["console", "ptmx"] + dockerDefaults.map { String($0.path.dropFirst(5)) })
        var nodes: [DeviceNode] = []
        func walk(_ directory: String, relative: String) {
            guard let entries = try? FileSystem.contentsOfDirectory(directory) else { return }
            for name in entries.sorted() {
                let path = "\(directory)/\(name)", inside = relative.isEmpty ? name : "\(relative)/\(name)"
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                let type = st.st_mode & S_IFMT
                if type == S_IFDIR && !skippedDirectories.contains(inside) {
                    walk(path, relative: inside)
                } else if (type == S_IFCHR || type == S_IFBLK) && !skippedNames.contains(inside),
                          let node = try? DeviceNode(hostPath: path, containerPath: "/dev/\(inside)") {
                    nodes.append(node)
                }
            }
        }
        walk(root, relative: "")
        return nodes
    }

    // glibc's gnu_dev_major/minor, which Swift does not import (they are macros there).
    static func major(_ device: UInt) -> UInt32 { UInt32(truncatingIfNeeded: ((device >> 8) & 0xFFF) | ((device >> 32) & ~0xFFF)) }
    static func minor(_ device: UInt) -> UInt32 { UInt32(truncatingIfNeeded: (device & 0xFF) | ((device >> 12) & ~0xFF)) }
}
