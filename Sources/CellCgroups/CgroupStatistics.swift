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
        var stats = CgroupStatistics()
        let hostMemory = hostMemoryBytes()
        switch cgroup.layout {
        case .unified:
            let directory = cgroup.unifiedDirectory ?? ""
            stats.cpuNanoseconds = (keyed(text("\(directory)/cpu.stat"))["usage_usec"] ?? 0) * 1000
            let inactive = keyed(text("\(directory)/memory.stat"))["inactive_file"] ?? 0
            let current = number(text("\(directory)/memory.current")) ?? 0
            stats.memoryUsage = current > inactive ? current - inactive : current
            stats.memoryLimit = number(text("\(directory)/memory.max")).map { min($0, hostMemory) } ?? hostMemory
            stats.pids = number(text("\(directory)/pids.current")) ?? 0
            for line in text("\(directory)/io.stat").split(separator: "\n") {
                for field in line.split(separator: " ") {
                    let pair = field.split(separator: "=")
                    guard pair.count == 2, let value = UInt64(pair[1]) else { continue }
                    if pair[0] == "rbytes" { stats.blockRead += value }
                    if pair[0] == "wbytes" { stats.blockWritten += value }
                }
            }
        case .legacy:
            func file(_ controller: String, _ name: String) -> String {
                text("\(cgroup.directory(forController: controller) ?? "/nonexistent")/\(name)")
            }
            stats.cpuNanoseconds = number(file("cpuacct", "cpuacct.usage")) ?? 0
            let inactive = keyed(file("memory", "memory.stat"))["total_inactive_file"] ?? 0
            let usage = number(file("memory", "memory.usage_in_bytes")) ?? 0
            stats.memoryUsage = usage > inactive ? usage - inactive : usage
            stats.memoryLimit = number(file("memory", "memory.limit_in_bytes")).map { min($0, hostMemory) } ?? hostMemory
            stats.pids = number(file("pids", "pids.current")) ?? 0
            for line in file("blkio", "blkio.throttle.io_service_bytes").split(separator: "\n") {
                let words = line.split(separator: " ")
                guard words.count == 3, let value = UInt64(words[2]) else { continue }
                if words[1] == "Read" { stats.blockRead += value }
                if words[1] == "Write" { stats.blockWritten += value }
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

    private static func number(_ text: String) -> UInt64? { UInt64(text.trimmedWhitespace) }

    /// "key value" lines.
    private static func keyed(_ text: String) -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count == 2, let value = UInt64(words[1]) { result[String(words[0])] = value }
        }
        return result
    }

    public static func hostMemoryBytes() -> UInt64 {
        for line in text("/proc/meminfo").split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let words = line.split(separator: " ")
            if words.count >= 2, let kilobytes = UInt64(words[1]) { return kilobytes * 1024 }
        }
        return 0
    }
}
