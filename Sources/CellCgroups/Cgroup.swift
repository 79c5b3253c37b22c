#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// One container's cgroup: a directory in the v2 hierarchy, or one per v1 controller
/// hierarchy (plus the hybrid v2 one). Every operation works on the directories' files only,
/// so a fake tree under a temporary directory stands in for /sys/fs/cgroup in tests.
public struct Cgroup: Equatable, Sendable {
    public let layout: CgroupLayout
    /// The cgroup's path inside each hierarchy, e.g. "/cell/<id>" (hierarchy → path).
    public let relativePaths: [String: String]

    /// Controllers enabled for containers on v2, when the host offers them.
    public static let unifiedControllers = ["cpuset", "cpu", "io", "memory", "pids"]

    /// Names the cgroup `<parent>/<name>`; a relative parent is taken below the cgroup the
    /// calling process is in (`membership`, from /proc/self/cgroup), an absolute one below
    /// each hierarchy's root. Creates nothing.
    public init(layout: CgroupLayout, parent: String, name: String, membership: String? = nil) throws {
        self.layout = layout
        var own: [String: String] = [:]
        if !parent.hasPrefix("/") { own = Cgroup.parseMembership(try membership ?? Cgroup.ownMembership()) }
        func path(for key: String) -> String {
            let base = parent.hasPrefix("/") ? "" : (own[key] ?? "")
            return Cgroup.normalize("\(base)/\(parent)/\(name)")
        }
        var paths: [String: String] = [:]
        switch layout {
        case .unified(let root):
            paths[root] = path(for: "")
        case .legacy(let hierarchies, let unified):
            for hierarchy in hierarchies { paths[hierarchy.path] = path(for: hierarchy.controllers[0]) }
            if let unified { paths[unified] = path(for: "") }
        }
        relativePaths = paths
    }

    /// Every directory of this cgroup, v2 first.
    public var directories: [String] {
        relativePaths.sorted { lhs, rhs in
            let (l, r) = (lhs.key == unifiedRoot, rhs.key == unifiedRoot)
            return l != r ? l : lhs.key < rhs.key
        }.map { $0.key + $0.value }
    }

    /// The v2 directory (pure v2 or hybrid), if any.
    public var unifiedDirectory: String? { unifiedRoot.map { $0 + relativePaths[$0]! } }

    private var unifiedRoot: String? { layout.unifiedRoot }

    /// The directory of the hierarchy that holds `controller` ("memory"), on v1; the v2 one on v2.
    public func directory(forController controller: String) -> String? {
        switch layout {
        case .unified: return unifiedDirectory
        case .legacy(let hierarchies, _):
            guard let hierarchy = hierarchies.first(where: { $0.controllers.contains(controller) }) else { return nil }
            return hierarchy.path + relativePaths[hierarchy.path]!
        }
    }

    // MARK: creating

    /// Creates the directories (and, on v2, enables the controllers down the path; on v1,
    /// gives new cpuset levels their parent's cpus and mems, without which no task may join).
    public func create() throws {
        switch layout {
        case .unified(let root):
            try createUnified(root: root, relative: relativePaths[root]!)
        case .legacy(let hierarchies, let unified):
            for hierarchy in hierarchies {
                let relative = relativePaths[hierarchy.path]!
                try FileSystem.createDirectory(hierarchy.path + relative)
                if hierarchy.controllers.contains("cpuset") {
                    try inheritCpuset(root: hierarchy.path, relative: relative)
                }
            }
            if let unified { try FileSystem.createDirectory(unified + relativePaths[unified]!) }
        }
    }

    private func createUnified(root: String, relative: String) throws {
        var available = Set(Cgroup.unifiedControllers)
        var level = root
        for component in relative.split(separator: "/") {
            // A level's cgroup.controllers lists what its parent enabled; a fake tree may
            // not have the file, and then what we enabled above is assumed.
            if let text = try readIfPresent("\(level)/cgroup.controllers") {
                available.formIntersection(Cgroup.words(text))
            }
            try enable(controllers: Cgroup.unifiedControllers.filter(available.contains), in: level)
            level += "/\(component)"
            if mkdir(level, 0o755) != 0 && errno != EEXIST {
                throw CellError(.setup, "create cgroup \(level): \(Syscall.errorString(errno))")
            }
        }
    }

    /// Adds controllers to a level's cgroup.subtree_control; all at once first, then one by
    /// one, so a controller the kernel refuses (busy, threaded) does not hold back the others.
    private func enable(controllers: [String], in directory: String) throws {
        let file = "\(directory)/cgroup.subtree_control"
        let enabled = Set(Cgroup.words(try readIfPresent(file) ?? ""))
        let missing = controllers.filter { !enabled.contains($0) }
        if missing.isEmpty { return }
        if (try? write(missing.map { "+\($0)" }.joined(separator: " "), to: file)) != nil { return }
        for controller in missing { try? write("+\(controller)", to: file) }
    }

    private func inheritCpuset(root: String, relative: String) throws {
        var parent = root
        for component in relative.split(separator: "/") {
            let level = "\(parent)/\(component)"
            for file in ["cpuset.cpus", "cpuset.mems"] {
                let current = try readIfPresent("\(level)/\(file)") ?? ""
                if current.allSatisfy({ $0 == "\n" || $0 == " " }),
                   let inherited = try readIfPresent("\(parent)/\(file)") {
                    try write(inherited, to: "\(level)/\(file)")
                }
            }
            parent = level
        }
    }

    // MARK: processes

    /// The directories in the v1 controller hierarchies (none on pure v2).
    public var legacyDirectories: [String] { directories.filter { $0 != unifiedDirectory } }

    /// The pids in the cgroup and in any cgroups a privileged container made below it (the
    /// union over its hierarchies).
    public func processes() throws -> [Int32] { try processes(in: directories) }

    private func processes(in directories: [String]) throws -> [Int32] {
        var pids: [Int32] = []
        for directory in directories {
            for cgroup in try Cgroup.tree(at: directory) {
                for line in (try readIfPresent("\(cgroup)/cgroup.procs") ?? "").split(separator: "\n") {
                    if let pid = Int32(line), !pids.contains(pid) { pids.append(pid) }
                }
            }
        }
        return pids
    }

    /// A cgroup directory and every cgroup below it, children before their parents (the order
    /// rmdir needs). Only --privileged containers can make any: the others see a read-only view.
    static func tree(at directory: String) throws -> [String] {
        var result: [String] = []
        for name in try FileSystem.subdirectories(directory) {
            result += try tree(at: "\(directory)/\(name)")
        }
        return result + [directory]
    }

    /// SIGKILLs everything in the cgroup until it is empty: one write to cgroup.kill where the
    /// kernel has it (v2, 5.14+), else kill(2) per pid, repeated, since a process may fork
    /// between the read of cgroup.procs and the kill.
    public func killAll(timeout: Double = 10) throws {
        // Every process of the container joined each hierarchy, and moves only within its
        // subtree there: one hierarchy tells which are left (a walk of all nine took ~0.3 ms).
        // Mostly none: the kernel ends a pid namespace's processes with its pid 1.
        if try processes(in: Array(directories.prefix(1))).isEmpty { return }
        if let unified = unifiedDirectory, FileSystem.exists("\(unified)/cgroup.kill") {
            try? write("1", to: "\(unified)/cgroup.kill")
        }
        let deadline = Deadline(after: timeout)
        while true {
            let pids = try processes(in: Array(directories.prefix(1)))
            if pids.isEmpty { return }
            if deadline.hasPassed {
                throw CellError(.system, "cgroup \(directories[0]): processes left after SIGKILL: \(pids)")
            }
            for pid in pids { kill(pid, SIGKILL) }
            Deadline.pause()
        }
    }

    /// rmdir of every directory and the cgroups below it, retried while the kernel still counts
    /// dying tasks (EBUSY). Parents (such as /cell) stay: other containers share them.
    public func remove(timeout: Double = 10) throws {
        let deadline = Deadline(after: timeout)
        // Most containers made no cgroup of their own: one rmdir each, no walk.
        let left = directories.filter { rmdir($0) != 0 && errno != ENOENT }
        for directory in try left.flatMap(Cgroup.tree(at:)) {
            while rmdir(directory) != 0 {
                let code = errno
                if code == ENOENT { break }
                if code != EBUSY || deadline.hasPassed {
                    throw CellError(.system, "remove cgroup \(directory): \(Syscall.errorString(code))")
                }
                Deadline.pause()
            }
        }
    }

    /// Whether the kernel's OOM killer killed something in the cgroup.
    public func oomKilled() -> Bool {
        let file: String
        switch layout {
        case .unified: file = "memory.events"
        case .legacy: file = "memory.oom_control"
        }
        guard let directory = directory(forController: "memory"),
              let text = try? readIfPresent("\(directory)/\(file)") else { return false }
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count == 2 && words[0] == "oom_kill", let count = Int(words[1]) { return count > 0 }
        }
        return false
    }

    // MARK: limits

    /// Writes the limits into the cgroup, in the files of its layout: v1's *_in_bytes, cfs_*,
    /// shares; v2's memory.max, memory.swap.max, cpu.max, cpu.weight.
    public func apply(_ limits: ResourceLimits) throws {
        guard !limits.isEmpty else { return }
        let unified = layout.isUnified
        if let memory = limits.memory {
            // Docker: with -m and no --memory-swap, as much swap as memory.
            let total = limits.memorySwap ?? ResourceLimits.twice(memory)
            if unified {
                try setValue(String(memory), file: "memory.max", controller: "memory")
                // Without swap accounting there is no memory.swap.max, and no swap to limit.
                if let directory = directory(forController: "memory"), FileSystem.exists("\(directory)/memory.swap.max") {
                    try setValue(total == -1 ? "max" : String(total - memory), file: "memory.swap.max", controller: "memory")
                }
            } else {
                // memory <= memory+swap at every step: when the new memory is above the current
                // memsw limit (an update upwards), memsw goes first. Swap accounting may be off
                // (no memsw files): then there is nothing to limit.
                let memswPath = directory(forController: "memory").map { "\($0)/memory.memsw.limit_in_bytes" }
                let memsw = memswPath.flatMap { FileSystem.exists($0) ? $0 : nil }
                let currentMemsw = memsw.flatMap { try? readIfPresent($0) }.flatMap { Int64($0.trimmedWhitespace) }
                let memswFirst = memsw != nil && (total == -1 || memory > (currentMemsw ?? Int64.max))
                if memswFirst { try setValue(String(total), file: "memory.memsw.limit_in_bytes", controller: "memory") }
                try setValue(String(memory), file: "memory.limit_in_bytes", controller: "memory")
                if memsw != nil && !memswFirst {
                    try setValue(String(total), file: "memory.memsw.limit_in_bytes", controller: "memory")
                }
            }
        }
        if let reservation = limits.memoryReservation {
            try setValue(String(reservation), file: unified ? "memory.low" : "memory.soft_limit_in_bytes", controller: "memory")
        }
        let cpu = limits.effectiveCPUQuota
        if cpu.quota != nil || cpu.period != nil {
            let period = cpu.period ?? 100_000
            let quota = cpu.quota.flatMap { $0 > 0 ? $0 : nil }
            if unified {
                try setValue("\(quota.map(String.init) ?? "max") \(period)", file: "cpu.max", controller: "cpu")
            } else {
                try setValue(String(period), file: "cpu.cfs_period_us", controller: "cpu")
                try setValue(String(quota ?? -1), file: "cpu.cfs_quota_us", controller: "cpu")
            }
        }
        if let shares = limits.cpuShares {
            if unified {
                try setValue(String(ResourceLimits.weight(forShares: shares)), file: "cpu.weight", controller: "cpu")
            } else {
                try setValue(String(shares), file: "cpu.shares", controller: "cpu")
            }
        }
        if let cpus = limits.cpusetCpus {
            try setValue(cpus, file: "cpuset.cpus", controller: "cpuset")
        }
        if let pids = limits.pidsLimit {
            try setValue(pids > 0 ? String(pids) : "max", file: "pids.max", controller: "pids")
        }
        if let mems = limits.cpusetMems {
            try setValue(mems, file: "cpuset.mems", controller: "cpuset")
        }
        // What a host lacks was discarded with a warning when the container was created
        // (CgroupSupport): v2 has no swappiness or OOM-killer switch.
        if let swappiness = limits.memorySwappiness, !unified {
            try setValue(String(swappiness), file: "memory.swappiness", controller: "memory")
        }
        if limits.oomKillDisable == true, !unified {
            try setValue("1", file: "memory.oom_control", controller: "memory")
        }
        if let weight = limits.blkioWeight, let (file, value) = blkioWeightFile(weight) {
            try setValue(value, file: file, controller: unified ? "io" : "blkio")
        }
    }

    /// Where this cgroup takes a block I/O weight, as runc writes it: BFQ's file when the
    /// scheduler offers one, else v1's blkio.weight or v2's io.weight (on its 1-10000 scale).
    func blkioWeightFile(_ weight: Int64) -> (file: String, value: String)? {
        let unified = layout.isUnified
        guard let directory = directory(forController: unified ? "io" : "blkio") else { return nil }
        let candidates = unified
            ? [("io.bfq.weight", String(weight)), ("io.weight", String(1 + (weight - 10) * 9999 / 990))]
            : [("blkio.bfq.weight", String(weight)), ("blkio.weight", String(weight))]
        return candidates.first { FileSystem.exists("\(directory)/\($0.0)") }
    }

    // MARK: files

    /// Writes a controller file ("memory.max", "pids.max"...) in the hierarchy of `controller`.
    public func setValue(_ value: String, file: String, controller: String) throws {
        guard let directory = directory(forController: controller) else {
            throw CellError(.setup, "cgroup controller \(controller) is not available")
        }
        try write(value, to: "\(directory)/\(file)")
    }

    func write(_ value: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CellError(.setup, "open \(path): \(Syscall.errorString(errno))") }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if written != bytes.count {
            throw CellError(.setup, "write \(value) to \(path): \(Syscall.errorString(errno))")
        }
    }

    /// A cgroup file's text; nil when the cgroup is gone: ENOENT once removed, ENODEV while
    /// the kernel tears it down (its monitor may remove it while another command reads it).
    func readIfPresent(_ path: String) throws -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENODEV { return nil }
            throw CellError.system("open \(path): \(Syscall.errorString(errno))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && errno == ENODEV { return nil }
            if count < 0 { throw CellError.system("read \(path): \(Syscall.errorString(errno))") }
            if count == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes += chunk[0..<count]
        }
    }

    // MARK: membership

    static func ownMembership() throws -> String {
        String(decoding: try FileSystem.readFile("/proc/self/cgroup"), as: UTF8.self)
    }

    /// /proc/<pid>/cgroup lines ("4:memory:/a/b", "0::/a") → controller (or "" for v2) → path.
    static func parseMembership(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[1].isEmpty { result[""] = String(parts[2]) }
            for controller in parts[1].split(separator: ",") { result[String(controller)] = String(parts[2]) }
        }
        return result
    }

    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }

    static func normalize(_ path: String) -> String {
        "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}
