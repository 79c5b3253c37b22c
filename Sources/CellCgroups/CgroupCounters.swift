#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// A cgroup's counters as Docker's stats API reports them (moby's `StatsJSON`): raw, unlike
/// `CgroupStatistics`, which reduces them to `cell stats`'s columns. The clients do the
/// arithmetic themselves (CPU % from two samples, memory without the inactive page cache), so
/// the values are what the kernel's files say, in the names Docker gives them on each layout.
public struct CgroupCounters: Equatable, Sendable {
    /// Which layout's files they come from: the keys of `memoryStat` and the block I/O operations
    /// are v1's or v2's, as Docker passes them on.
    public var isUnified = false
    /// CPU time, nanoseconds: in all, per CPU (v1 only: v2 keeps no such file), in the kernel and
    /// in user mode.
    public var cpuTotal: UInt64 = 0
    public var cpuPerCPU: [UInt64] = []
    public var cpuKernel: UInt64 = 0
    public var cpuUser: UInt64 = 0
    /// CFS bandwidth: periods elapsed, periods throttled in, nanoseconds throttled.
    public var throttlePeriods: UInt64 = 0
    public var throttledPeriods: UInt64 = 0
    public var throttledNanoseconds: UInt64 = 0
    /// memory.usage_in_bytes (v1) or memory.current (v2), page cache included.
    public var memoryUsage: UInt64 = 0
    /// v1 only (v2 has no such counters; Docker leaves them out there).
    public var memoryMaxUsage: UInt64 = 0
    public var memoryFailures: UInt64 = 0
    /// The limit, or the host's memory when there is none (as Docker caps it).
    public var memoryLimit: UInt64 = 0
    /// memory.stat's lines, in the file's order.
    public var memoryStat: [(String, UInt64)] = []
    public var pidsCurrent: UInt64 = 0
    /// 0: no limit.
    public var pidsLimit: UInt64 = 0
    /// Bytes moved per device and operation ("Read"/"Write"/... on v1, "read"/"write" on v2).
    public var blockIO: [BlockIOEntry] = []

    public struct BlockIOEntry: Equatable, Sendable {
        public var major: UInt64
        public var minor: UInt64
        public var operation: String
        public var value: UInt64
    }

    public init() {}

    public static func == (lhs: CgroupCounters, rhs: CgroupCounters) -> Bool {
        lhs.cpuTotal == rhs.cpuTotal && lhs.cpuPerCPU == rhs.cpuPerCPU && lhs.memoryUsage == rhs.memoryUsage
            && lhs.memoryStat.elementsEqual(rhs.memoryStat, by: { $0 == $1 }) && lhs.blockIO == rhs.blockIO
            && lhs.pidsCurrent == rhs.pidsCurrent && lhs.memoryLimit == rhs.memoryLimit && lhs.isUnified == rhs.isUnified
    }

    /// The counters now. `hostMemory` caps an unlimited (or larger than the host) memory limit.
    public static func read(_ cgroup: Cgroup, hostMemory: UInt64 = CgroupStatistics.hostMemoryBytes()) -> CgroupCounters {
        var counters = CgroupCounters()
        switch cgroup.layout {
        case .unified:
            counters.isUnified = true
            let directory = cgroup.unifiedDirectory ?? "/nonexistent"
            let cpu = Dictionary(keyed(text("\(directory)/cpu.stat")), uniquingKeysWith: { first, _ in first })
            counters.cpuTotal = (cpu["usage_usec"] ?? 0) * 1000
            counters.cpuKernel = (cpu["system_usec"] ?? 0) * 1000
            counters.cpuUser = (cpu["user_usec"] ?? 0) * 1000
            counters.throttlePeriods = cpu["nr_periods"] ?? 0
            counters.throttledPeriods = cpu["nr_throttled"] ?? 0
            counters.throttledNanoseconds = (cpu["throttled_usec"] ?? 0) * 1000
            counters.memoryUsage = number(text("\(directory)/memory.current")) ?? 0
            counters.memoryLimit = min(number(text("\(directory)/memory.max")) ?? hostMemory, hostMemory)
            counters.memoryStat = keyed(text("\(directory)/memory.stat"))
            counters.pidsCurrent = number(text("\(directory)/pids.current")) ?? 0
            counters.pidsLimit = number(text("\(directory)/pids.max")) ?? 0
            // "8:0 rbytes=1 wbytes=2 rios=3 ...": Docker reports the bytes as "read" and "write".
            for line in text("\(directory)/io.stat").split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let device = words.first.flatMap(deviceNumbers) else { continue }
                for field in words.dropFirst() {
                    let pair = field.split(separator: "=")
                    guard pair.count == 2, let value = UInt64(pair[1]) else { continue }
                    let operation = pair[0] == "rbytes" ? "read" : pair[0] == "wbytes" ? "write" : nil
                    if let operation {
                        counters.blockIO.append(BlockIOEntry(major: device.0, minor: device.1, operation: operation, value: value))
                    }
                }
            }
        case .legacy:
            func file(_ controller: String, _ name: String) -> String {
                text("\(cgroup.directory(forController: controller) ?? "/nonexistent")/\(name)")
            }
            counters.cpuTotal = number(file("cpuacct", "cpuacct.usage")) ?? 0
            counters.cpuPerCPU = file("cpuacct", "cpuacct.usage_percpu").split(whereSeparator: \.isWhitespace).compactMap { UInt64($0) }
            // cpuacct.stat counts clock ticks; Docker gives nanoseconds.
            let ticks = Dictionary(keyed(file("cpuacct", "cpuacct.stat")), uniquingKeysWith: { first, _ in first })
            let nanosecondsPerTick = 1_000_000_000 / UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
            counters.cpuKernel = (ticks["system"] ?? 0) * nanosecondsPerTick
            counters.cpuUser = (ticks["user"] ?? 0) * nanosecondsPerTick
            let throttling = Dictionary(keyed(file("cpu", "cpu.stat")), uniquingKeysWith: { first, _ in first })
            counters.throttlePeriods = throttling["nr_periods"] ?? 0
            counters.throttledPeriods = throttling["nr_throttled"] ?? 0
            counters.throttledNanoseconds = throttling["throttled_time"] ?? 0
            counters.memoryUsage = number(file("memory", "memory.usage_in_bytes")) ?? 0
            counters.memoryMaxUsage = number(file("memory", "memory.max_usage_in_bytes")) ?? 0
            counters.memoryFailures = number(file("memory", "memory.failcnt")) ?? 0
            counters.memoryLimit = min(number(file("memory", "memory.limit_in_bytes")) ?? hostMemory, hostMemory)
            counters.memoryStat = keyed(file("memory", "memory.stat"))
            counters.pidsCurrent = number(file("pids", "pids.current")) ?? 0
            counters.pidsLimit = number(file("pids", "pids.max")) ?? 0
            // "8:0 Read 4096" lines and a "Total" line; the recursive file where the kernel has
            // one (Docker reads it first), the throttle layer's otherwise.
            var lines = file("blkio", "blkio.io_service_bytes_recursive")
            if !lines.contains(where: \.isNumber) { lines = file("blkio", "blkio.throttle.io_service_bytes_recursive") }
            if !lines.contains(where: \.isNumber) { lines = file("blkio", "blkio.throttle.io_service_bytes") }
            for line in lines.split(separator: "\n") {
                let words = line.split(separator: " ")
                guard words.count == 3, let device = deviceNumbers(words[0]), let value = UInt64(words[2]) else { continue }
                counters.blockIO.append(BlockIOEntry(major: device.0, minor: device.1, operation: String(words[1]), value: value))
            }
        }
        return counters
    }

    /// "8:0" as (8, 0).
    private static func deviceNumbers(_ text: Substring) -> (UInt64, UInt64)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let major = UInt64(parts[0]), let minor = UInt64(parts[1]) else { return nil }
        return (major, minor)
    }

    private static func text(_ path: String) -> String {
        (try? FileSystem.readFileIfPresent(path)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// A number, or nil for "max" and anything else that is not one.
    private static func number(_ text: String) -> UInt64? { UInt64(text.trimmedWhitespace) }

    /// "key value" lines, in order.
    private static func keyed(_ text: String) -> [(String, UInt64)] {
        text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard words.count == 2, let value = UInt64(words[1]) else { return nil }
            return (String(words[0]), value)
        }
    }
}
