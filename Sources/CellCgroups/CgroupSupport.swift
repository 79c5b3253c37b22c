import CellCore

/// What the host's cgroups can limit beyond memory, CPU and pids. A limit the host cannot
/// apply is discarded with Docker's warning when a container is created or updated, rather
/// than failing its start.
public struct CgroupSupport: Equatable, Sendable {
    public var memorySwappiness: Bool
    public var oomKillDisable: Bool
    public var blkioWeight: Bool

    public init(memorySwappiness: Bool, oomKillDisable: Bool, blkioWeight: Bool) {
        self.memorySwappiness = memorySwappiness
        self.oomKillDisable = oomKillDisable
        self.blkioWeight = blkioWeight
    }

    /// Read from the hierarchies' root directories: v1's memory controller has swappiness and
    /// the OOM switch (v2 has neither); a weight needs blkio.weight, or BFQ (whose weight
    /// files show in every cgroup but the root), or v2's io controller.
    public static func of(_ layout: CgroupLayout) -> CgroupSupport {
        switch layout {
        case .unified(let root):
            let controllers = (try? FileSystem.readFile("\(root)/cgroup.controllers")).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return CgroupSupport(memorySwappiness: false, oomKillDisable: false,
                                 blkioWeight: controllers.split(whereSeparator: \.isWhitespace).contains("io"))
        case .legacy(let hierarchies, _):
            func root(of controller: String) -> String? { hierarchies.first { $0.controllers.contains(controller) }?.path }
            let memory = root(of: "memory")
            let blkio = root(of: "blkio")
            return CgroupSupport(
                memorySwappiness: memory.map { FileSystem.exists("\($0)/memory.swappiness") } ?? false,
                oomKillDisable: memory.map { FileSystem.exists("\($0)/memory.oom_control") } ?? false,
                blkioWeight: blkio.map { directory in
                    ["blkio.weight", "blkio.bfq.weight", "blkio.bfq.io_service_bytes"].contains { FileSystem.exists("\(directory)/\($0)") }
                } ?? false)
        }
    }

    /// Whether `admitting` has anything to judge in `limits` (it never changes other ones): a
    /// creation without them does not look at the host's cgroups (a dozen statfs).
    public static func judges(_ limits: ResourceLimits) -> Bool {
        limits.memorySwappiness != nil || limits.oomKillDisable == true || limits.blkioWeight != nil
    }

    /// The limits this host can apply, and Docker's warning for each one dropped.
    public func admitting(_ limits: ResourceLimits) -> (limits: ResourceLimits, warnings: [String]) {
        var result = limits
        var warnings: [String] = []
        if limits.memorySwappiness != nil && !memorySwappiness {
            warnings.append("Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.")
            result.memorySwappiness = nil
        }
        if limits.oomKillDisable == true {
            if !oomKillDisable {
                warnings.append("Your kernel does not support OomKillDisable. OomKillDisable discarded.")
                result.oomKillDisable = nil
            } else if (limits.memory ?? 0) <= 0 {
                warnings.append("OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.")
            }
        }
        if limits.blkioWeight != nil && !blkioWeight {
            warnings.append("Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.")
            result.blkioWeight = nil
        }
        return (result, warnings)
    }
}
