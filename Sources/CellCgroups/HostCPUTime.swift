#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// The host's CPU time and its online CPUs, from /proc/stat, as Docker's stats API reports them
/// (`system_cpu_usage`, `online_cpus`): a client's CPU % is the container's share of the host's
/// time between two samples, times the CPUs.
public struct HostCPUTime: Equatable, Sendable {
    /// Every CPU's time, busy or idle, nanoseconds since boot.
    public var nanoseconds: UInt64 = 0
    public var onlineCPUs: UInt64 = 0

    public init() {}

    public static func read() -> HostCPUTime {
        let text = (try? FileSystem.readFileIfPresent("/proc/stat")).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return parse(text, ticksPerSecond: UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1)))
    }

    /// The "cpu" line's first seven fields (user, nice, system, idle, iowait, irq, softirq), in
    /// clock ticks, as moby sums them; one "cpuN" line per online CPU.
    static func parse(_ text: String, ticksPerSecond: UInt64) -> HostCPUTime {
        var time = HostCPUTime()
        for line in text.split(separator: "\n") where line.hasPrefix("cpu") {
            let words = line.split(separator: " ")
            if words[0] == "cpu" {
                let ticks = words.dropFirst().prefix(7).compactMap { UInt64($0) }.reduce(0, +)
                time.nanoseconds = ticks * (1_000_000_000 / ticksPerSecond)
            } else {
                time.onlineCPUs += 1
            }
        }
        return time
    }
}
