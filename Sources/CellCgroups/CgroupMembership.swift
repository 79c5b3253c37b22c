import CellCore

extension Cgroup {
    /// The cgroup a running process is in (from /proc/<pid>/cgroup), in every hierarchy of
    /// `layout` the process has a path in: what exec must join, and what top lists.
    public static func of(process pid: Int32, layout: CgroupLayout) throws -> Cgroup {
        let text = String(decoding: try FileSystem.readFile("/proc/\(pid)/cgroup"), as: UTF8.self)
        return Cgroup(layout: layout, membership: parseMembership(text))
    }

    init(layout: CgroupLayout, membership: [String: String]) {
        var paths: [String: String] = [:]
        switch layout {
        case .unified(let root):
            if let path = membership[""] { paths[root] = path }
        case .legacy(let hierarchies, let unified):
            for hierarchy in hierarchies {
                if let path = membership[hierarchy.controllers[0]] { paths[hierarchy.path] = path }
            }
            if let unified, let path = membership[""] { paths[unified] = path }
        }
        self.layout = layout
        self.relativePaths = paths
    }
}
