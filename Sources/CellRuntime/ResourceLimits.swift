#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// docker run's resource flags, as numbers: what the container's cgroup is limited to.
public struct ResourceLimits: Equatable, Sendable, Codable {
    /// -m: bytes of memory.
    public var memory: Int64?
    /// --memory-swap: memory plus swap, bytes; -1 unlimited. Unset with -m: twice -m (Docker's).
    public var memorySwap: Int64?
    /// --memory-reservation: a soft limit, bytes.
    public var memoryReservation: Int64?
    /// --cpus / --cpu-quota: microseconds of CPU time per period.
    public var cpuQuota: Int64?
    public var cpuPeriod: Int64?
    /// -c, --cpu-shares: relative weight (docker's 2...262144, 1024 by default).
    public var cpuShares: Int64?
    /// --cpuset-cpus: "0-1,3".
    public var cpusetCpus: String?
    /// --pids-limit: processes; 0 or -1 unlimited.
    public var pidsLimit: Int64?

    public init() {}

    public var isEmpty: Bool { self == ResourceLimits() }

    /// These limits with every one `other` sets replacing ours (docker update).
    public func merging(_ other: ResourceLimits) -> ResourceLimits {
        var result = self
        if let value = other.memory { result.memory = value }
        if let value = other.memorySwap { result.memorySwap = value }
        if let value = other.memoryReservation { result.memoryReservation = value }
        if let value = other.cpuQuota { result.cpuQuota = value }
        if let value = other.cpuPeriod { result.cpuPeriod = value }
        if let value = other.cpuShares { result.cpuShares = value }
        if let value = other.cpusetCpus { result.cpusetCpus = value }
        if let value = other.pidsLimit { result.pidsLimit = value }
        return result
    }

    /// Docker's checks, with Docker's messages: nothing is created when one fails.
    public func validate(cpuCount: Int = ResourceLimits.onlineCPUs) throws {
        if let memory, memory < 6 * 1024 * 1024 {
            throw CellError(.setup, "Minimum memory limit allowed is 6MB")
        }
        if let memorySwap, memorySwap != -1 {
            guard let memory else { throw CellError(.setup, "You should always set the Memory limit when using Memoryswap limit, see usage.") }
            if memorySwap < memory { throw CellError(.setup, "Minimum memoryswap limit should be larger than memory limit, see usage.") }
        }
        if let memoryReservation, let memory, memoryReservation > memory {
            throw CellError(.setup, "Minimum memory limit can not be less than memory reservation limit, see usage.")
        }
        if let cpuQuota, cpuQuota > 0 && cpuQuota < 1000 {
            throw CellError(.setup, "CPU cfs quota can not be less than 1ms (i.e. 1000)")
        }
        if let cpuPeriod, cpuPeriod < 1000 || cpuPeriod > 1_000_000 {
            throw CellError(.setup, "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)")
        }
        if let cpuQuota, cpuQuota > 0, Double(cpuQuota) / Double(cpuPeriod ?? 100_000) > Double(cpuCount) {
            throw CellError(.setup, "range of CPUs is from 0.01 to \(cpuCount).00, as there are only \(cpuCount) CPUs available")
        }
        if let cpusetCpus {
            guard let cpus = ResourceLimits.cpuList(cpusetCpus) else {
                throw CellError(.setup, "Invalid value \(cpusetCpus) for cpuset cpus")
            }
            if let highest = cpus.max(), highest >= cpuCount {
                throw CellError(.setup, "Requested CPUs are not available - requested \(cpusetCpus), available: 0-\(cpuCount - 1)")
            }
        }
    }

    /// "0-2,5" → [0, 1, 2, 5]; nil when malformed.
    public static func cpuList(_ text: String) -> [Int]? {
        var result: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2, let low = Int(bounds[0]), low >= 0 else { return nil }
            let high = bounds.count == 2 ? Int(bounds[1]) : low
            guard let high, high >= low else { return nil }
            result += Array(low...high)
        }
        return result.isEmpty ? nil : result
    }

    public static var onlineCPUs: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// cgroup v2's cpu.weight for docker's cpu shares (the conversion runc uses).
    static func weight(forShares shares: Int64) -> Int64 {
        let clamped = min(max(shares, 2), 262_144)
        return 1 + ((clamped - 2) * 9999) / 262_142
    }

    /// The set limits as (name, value) pairs, for the spec's records.
    var fields: [(String, String)] {
        var result: [(String, String)] = []
        if let memory { result.append(("memory", String(memory))) }
        if let memorySwap { result.append(("memory-swap", String(memorySwap))) }
        if let memoryReservation { result.append(("memory-reservation", String(memoryReservation))) }
        if let cpuQuota { result.append(("cpu-quota", String(cpuQuota))) }
        if let cpuPeriod { result.append(("cpu-period", String(cpuPeriod))) }
        if let cpuShares { result.append(("cpu-shares", String(cpuShares))) }
        if let cpusetCpus { result.append(("cpuset-cpus", cpusetCpus)) }
        if let pidsLimit { result.append(("pids-limit", String(pidsLimit))) }
        return result
    }

    /// One record back; false for an unknown name or a bad number.
    mutating func set(_ name: String, _ value: String) -> Bool {
        if name == "cpuset-cpus" {
            cpusetCpus = value
            return true
        }
        guard let number = Int64(value) else { return false }
        switch name {
        case "memory": memory = number
        case "memory-swap": memorySwap = number
        case "memory-reservation": memoryReservation = number
        case "cpu-quota": cpuQuota = number
        case "cpu-period": cpuPeriod = number
        case "cpu-shares": cpuShares = number
        case "pids-limit": pidsLimit = number
        default: return false
        }
        return true
    }
}
