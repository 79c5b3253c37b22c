#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import CRuntime

/// How the host's cgroups are laid out, learned from file-system magic numbers rather than
/// from paths (a directory named "unified" proves nothing; statfs does).
public enum CgroupLayout: Equatable, Sendable {
    /// One v1 hierarchy: its directory and the controllers mounted there ("cpu", "cpuacct").
    public struct Hierarchy: Equatable, Sendable {
        public var path: String
        public var controllers: [String]

        public init(path: String, controllers: [String]) {
            self.path = path
            self.controllers = controllers
        }
    }

    /// Pure cgroup v2: one hierarchy, controllers enabled through cgroup.subtree_control.
    case unified(root: String)
    /// v1 controllers, each in its own hierarchy; `unified` is the v2 hierarchy of a hybrid
    /// host (no controllers, but process tracking and cgroup.kill), nil on a pure v1 host.
    case legacy(hierarchies: [Hierarchy], unified: String?)

    static let cgroup2Magic = 0x6367_7270
    static let cgroup1Magic = 0x0027_e0eb
    /// The v1 controllers a container gets a cgroup in.
    public static let legacyControllers = ["memory", "pids", "cpu", "cpuacct", "cpuset", "blkio", "devices", "freezer"]

    /// Looks at `root` (normally /sys/fs/cgroup).
    /// Pure v2: the controllers, and their files, are v2's.
    public var isUnified: Bool {
        if case .unified = self { return true }
        return false
    }

    /// The v2 hierarchy's mount point (pure v2, or a hybrid host's), if any.
    public var unifiedRoot: String? {
        switch self {
        case .unified(let root): return root
        case .legacy(_, let unified): return unified
        }
    }

    public static func detect(root: String = "/sys/fs/cgroup") throws -> CgroupLayout {
        if fileSystemMagic(root) == cgroup2Magic { return .unified(root: root) }
        var hierarchies: [Hierarchy] = []
        var seen: [(dev_t, ino_t)] = []
        for controller in legacyControllers {
            let path = "\(root)/\(controller)"
            guard fileSystemMagic(path) == cgroup1Magic else { continue }
            // cpu and cpuacct are often one hierarchy reached by two symlinks.
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            if let index = seen.firstIndex(where: { $0 == (st.st_dev, st.st_ino) }) {
                hierarchies[index].controllers.append(controller)
            } else {
                seen.append((st.st_dev, st.st_ino))
                hierarchies.append(Hierarchy(path: path, controllers: [controller]))
            }
        }
        let unified = fileSystemMagic("\(root)/unified") == cgroup2Magic ? "\(root)/unified" : nil
        if hierarchies.isEmpty && unified == nil {
            throw CellError(.setup, "no cgroup file system found at \(root)")
        }
        return .legacy(hierarchies: hierarchies, unified: unified)
    }

    static func fileSystemMagic(_ path: String) -> Int? {
        let magic = cell_filesystem_magic(path)
        return magic < 0 ? nil : Int(magic)
    }
}
