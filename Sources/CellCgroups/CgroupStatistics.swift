#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// What `cell stats` shows of a container, read from its cgroup (v1 or v2 files) and its
/// network namespace.
public struct CgroupStatistics: Equatable, Sendable {
    /// CPU time used, nanoseconds.
    public var cpuNanoseconds: UInt64 = 0
    /// Memory in use, page cache that can be dropped left out (as docker counts it).
    public var memoryUsage: UInt64 = 0
    /// The memory limit, or the host's memory.
    public var memoryLimit: UInt64 = 0
    public var pids: UInt64 = 0
    public var blockRead: UInt64 = 0
    public var blockWritten: UInt64 = 0
    public var networkReceived: UInt64 = 0
    public var networkSent: UInt64 = 0

    public init() {}

    /// A sample now. `pid`: the container's pid 1, for the counters of its network namespace
    /// (nil: none are counted).
    public static func read(_ cgroup: Cgroup, pid: Int32?) -> CgroupStatistics {
        // The same files the stats API reports raw, reduced to the columns.
        let counters = CgroupCounters.read(cgroup)
        var stats = CgroupStatistics()
        stats.cpuNanoseconds = counters.cpuTotal
        // Docker leaves out the page cache the kernel can drop.
        let inactiveKey = counters.isUnified ? "inactive_file" : "total_inactive_file"
        let inactive = counters.memoryStat.first { $0.0 == inactiveKey }?.1 ?? 0
        stats.memoryUsage = counters.memoryUsage > inactive ? counters.memoryUsage - inactive : counters.memoryUsage
        stats.memoryLimit = counters.memoryLimit
        stats.pids = counters.pidsCurrent
        for entry in counters.blockIO {
            switch entry.operation.lowercased() {
            case "read": stats.blockRead += entry.value
            case "write": stats.blockWritten += entry.value
            default: break
            }
        }
        if let pid {
            let network = readNetwork(pid: pid)
            stats.networkReceived = network.networkReceived
            stats.networkSent = network.networkSent
        }
        return stats
    }

    /// The network counters alone: every interface of the namespace of `pid` (the container's
    /// pid 1), loopback included. Docker counts the interfaces a network gave the container
    /// (eth0), never its lo; cell's default network is the container's loopback alone, which
    /// carries everything a published port brings in and sends back, so it is what there is
    /// to count (each byte twice: sent and received on the same interface).
    public static func readNetwork(pid: Int32) -> CgroupStatistics {
        var stats = CgroupStatistics()
        for line in text("/proc/\(pid)/net/dev").split(separator: "\n").dropFirst(2) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let fields = parts[1].split(separator: " ").compactMap { UInt64($0) }
            if fields.count >= 9 {
                stats.networkReceived += fields[0]
                stats.networkSent += fields[8]
            }
        }
        return stats
    }

    private static func text(_ path: String) -> String {
        (try? FileSystem.readFileIfPresent(path)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    public static func hostMemoryBytes() -> UInt64 {
        for line in text("/proc/meminfo").split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let words = line.split(separator: " ")
            if words.count >= 2, let kilobytes = UInt64(words[1]) { return kilobytes * 1024 }
        }
        return 0
    }
}
