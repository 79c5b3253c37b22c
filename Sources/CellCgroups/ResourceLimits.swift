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
    /// --cpus, in billionths of a CPU (Docker's NanoCpus); written as a quota per 100 ms.
    public var nanoCpus: Int64?
    /// --cpu-quota / --cpu-period: microseconds of CPU time per period (-1: no quota).
    public var cpuQuota: Int64?
    public var cpuPeriod: Int64?
    /// -c, --cpu-shares: relative weight (docker's 2...262144, 1024 by default).
    public var cpuShares: Int64?
    /// --cpuset-cpus: "0-1,3".
    public var cpusetCpus: String?
    /// --pids-limit: processes; 0 or -1 unlimited.
    public var pidsLimit: Int64?
    /// --cpuset-mems: memory nodes, "0-1,3".
    public var cpusetMems: String?
    /// --memory-swappiness: 0-100 (v1 only; -1, Docker's default, leaves the host's).
    public var memorySwappiness: Int64?
    /// --oom-kill-disable (v1 only): the container's tasks wait for memory instead of dying.
    public var oomKillDisable: Bool?
    /// --blkio-weight: 10-1000, the container's share of block I/O.
    public var blkioWeight: Int64?

    public init() {}

    public var isEmpty: Bool { self == ResourceLimits() }

    /// As Docker's flags mean them: 0 is "not set" (-m 0, --cpus 0, -c 0, --cpu-period 0...).
    public func withZerosUnset() -> ResourceLimits {
        var result = self
        func unset(_ value: Int64?) -> Int64? { value == 0 ? nil : value }
        result.memory = unset(memory)
        result.memorySwap = unset(memorySwap)
        result.memoryReservation = unset(memoryReservation)
        result.nanoCpus = unset(nanoCpus)
        result.cpuQuota = unset(cpuQuota)
        result.cpuPeriod = unset(cpuPeriod)
        result.cpuShares = unset(cpuShares)
        result.blkioWeight = unset(blkioWeight)
        if memorySwappiness == -1 { result.memorySwappiness = nil }
        if oomKillDisable == false { result.oomKillDisable = nil }
        return result
    }

    /// A new container's: -m without --memory-swap gets as much swap as memory (memory + swap
    /// = twice -m), kept from then on, as Docker stores it when it creates the container.
    public func withCreationDefaults() -> ResourceLimits {
        var result = self
        if let memory, memory > 0, memorySwap == nil { result.memorySwap = ResourceLimits.twice(memory) }
        return result
    }

    /// These limits with every one `other` sets replacing ours (docker update), after Docker's
    /// checks of an update against what is set already.
    public func updated(by other: ResourceLimits) throws -> ResourceLimits {
        if let memory = other.memory, other.memorySwap == nil, let swap = memorySwap, swap > 0, memory > swap {
            throw CellError(.setup, "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time")
        }
        if other.nanoCpus != nil, let quota = cpuQuota, quota > 0, other.cpuQuota == nil {
            throw CellError(.setup, "Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set")
        }
        if other.cpuQuota != nil, let nano = nanoCpus, nano > 0, other.nanoCpus == nil {
            throw CellError(.setup, "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set")
        }
        var result = merging(other)
        // A container that had no memory limit gets Docker's swap default with its first one.
        if let memory = other.memory, memorySwap == nil, other.memorySwap == nil { result.memorySwap = ResourceLimits.twice(memory) }
        return result
    }

    /// Docker's default memory + swap for -m, saturating (a huge -m is "no limit" to the kernel).
    static func twice(_ memory: Int64) -> Int64 { memory > Int64.max / 2 ? Int64.max : memory * 2 }

    /// The quota and period the cgroup gets: --cpus as a quota per 100 ms, or --cpu-quota's.
    public var effectiveCPUQuota: (quota: Int64?, period: Int64?) {
        if let nanoCpus, nanoCpus > 0 { return (nanoCpus * 100_000 / 1_000_000_000, 100_000) }
        return (cpuQuota, cpuPeriod)
    }

    /// These limits with every one `other` sets replacing ours.
    public func merging(_ other: ResourceLimits) -> ResourceLimits {
        var result = self
        if let value = other.nanoCpus { result.nanoCpus = value }
        if let value = other.memory { result.memory = value }
        if let value = other.memorySwap { result.memorySwap = value }
        if let value = other.memoryReservation { result.memoryReservation = value }
        if let value = other.cpuQuota { result.cpuQuota = value }
        if let value = other.cpuPeriod { result.cpuPeriod = value }
        if let value = other.cpuShares { result.cpuShares = value }
        if let value = other.cpusetCpus { result.cpusetCpus = value }
        if let value = other.pidsLimit { result.pidsLimit = value }
        if let value = other.cpusetMems { result.cpusetMems = value }
        if let value = other.memorySwappiness { result.memorySwappiness = value }
        if let value = other.oomKillDisable { result.oomKillDisable = value }
        if let value = other.blkioWeight { result.blkioWeight = value }
        return result
    }

    /// Docker's checks, with Docker's messages: nothing is created when one fails.
    public func validate(cpuCount: Int = ProcessorCount.online) throws {
        if let memory, memory > 0, memory < 6 * 1024 * 1024 {
            throw CellError(.setup, "Minimum memory limit allowed is 6MB")
        }
        if let memorySwap, memorySwap > 0 {
            guard let memory, memory > 0 else {
                throw CellError(.setup, "You should always set the Memory limit when using Memoryswap limit, see usage")
            }
            if memorySwap < memory { throw CellError(.setup, "Minimum memoryswap limit should be larger than memory limit, see usage") }
        }
        if let memoryReservation, memoryReservation > 0, memoryReservation < 6 * 1024 * 1024 {
            throw CellError(.setup, "Minimum memory reservation allowed is 6MB")
        }
        if let memoryReservation, let memory, memory > 0, memoryReservation > memory {
            throw CellError(.setup, "Minimum memory limit can not be less than memory reservation limit, see usage")
        }
        if let nanoCpus, nanoCpus > 0 {
            if let cpuPeriod, cpuPeriod > 0 { throw CellError(.setup, "Conflicting options: Nano CPUs and CPU Period cannot both be set") }
            if let cpuQuota, cpuQuota > 0 { throw CellError(.setup, "Conflicting options: Nano CPUs and CPU Quota cannot both be set") }
        }
        if let nanoCpus, nanoCpus < 0 || nanoCpus > Int64(cpuCount) * 1_000_000_000 {
            throw CellError(.setup, "Range of CPUs is from 0.01 to \(cpuCount).00, as there are only \(cpuCount) CPUs available")
        }
        if let cpuQuota, cpuQuota > 0 && cpuQuota < 1000 {
            throw CellError(.setup, "CPU cfs quota can not be less than 1ms (i.e. 1000)")
        }
        if let cpuPeriod, cpuPeriod != 0, cpuPeriod < 1000 || cpuPeriod > 1_000_000 {
            throw CellError(.setup, "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)")
        }
        if let cpusetCpus {
            guard let cpus = ResourceLimits.cpuList(cpusetCpus) else {
                throw CellError(.setup, "Invalid value \(cpusetCpus) for cpuset cpus")
            }
            if let highest = cpus.max(), highest >= cpuCount {
                throw CellError(.setup, "Requested CPUs are not available - requested \(cpusetCpus), available: 0-\(cpuCount - 1)")
            }
        }
        if let cpusetMems {
            guard let nodes = ResourceLimits.cpuList(cpusetMems) else {
                throw CellError(.setup, "Invalid value \(cpusetMems) for cpuset mems")
            }
            let available = memoryNodes
            if let list = ResourceLimits.cpuList(available), !Set(nodes).isSubset(of: list) {
                throw CellError(.setup, "Requested memory nodes are not available - requested \(cpusetMems), available: \(available)")
            }
        }
        if let memorySwappiness, !(0...100).contains(memorySwappiness) {
            throw CellError(.setup, "Invalid value: \(memorySwappiness), valid memory swappiness range is 0-100")
        }
        if let blkioWeight, !(10...1000).contains(blkioWeight) {
            throw CellError(.setup, "Range of blkio weight is from 10 to 1000")
        }
    }

    /// The host's memory nodes ("0", "0-3"), as the kernel lists them.
    public var memoryNodes: String {
        guard let text = try? FileSystem.readFile("/sys/devices/system/node/online") else { return "0" }
        let nodes = String(decoding: text, as: UTF8.self).trimmedWhitespace
        return nodes.isEmpty ? "0" : nodes
    }

    /// Docker's bound on a cpu or node number (ParseUintListMaximum): a list is expanded only
    /// within it, so "0-9223372036854775807" is refused rather than counted.
    public static let maximumListedNumber = 10_000

    /// "0-2,5" → [0, 1, 2, 5]; nil when malformed or past `maximumListedNumber`.
    public static func cpuList(_ text: String) -> [Int]? {
        var result: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2, let low = Int(bounds[0]), low >= 0 else { return nil }
            let high = bounds.count == 2 ? Int(bounds[1]) : low
            guard let high, high >= low, high <= maximumListedNumber else { return nil }
            result += Array(low...high)
        }
        return result.isEmpty ? nil : result
    }

    /// cgroup v2's cpu.weight for docker's cpu shares (the conversion runc uses).
    static func weight(forShares shares: Int64) -> Int64 {
        let clamped = min(max(shares, 2), 262_144)
        return 1 + ((clamped - 2) * 9999) / 262_142
    }

    /// The set limits as (name, value) pairs, for the spec's records.
    public var fields: [(String, String)] {
        var result: [(String, String)] = []
        if let memory { result.append(("memory", String(memory))) }
        if let memorySwap { result.append(("memory-swap", String(memorySwap))) }
        if let memoryReservation { result.append(("memory-reservation", String(memoryReservation))) }
        if let nanoCpus { result.append(("nano-cpus", String(nanoCpus))) }
        if let cpuQuota { result.append(("cpu-quota", String(cpuQuota))) }
        if let cpuPeriod { result.append(("cpu-period", String(cpuPeriod))) }
        if let cpuShares { result.append(("cpu-shares", String(cpuShares))) }
        if let cpusetCpus { result.append(("cpuset-cpus", cpusetCpus)) }
        if let pidsLimit { result.append(("pids-limit", String(pidsLimit))) }
        if let cpusetMems { result.append(("cpuset-mems", cpusetMems)) }
        if let memorySwappiness { result.append(("memory-swappiness", String(memorySwappiness))) }
        if let oomKillDisable { result.append(("oom-kill-disable", oomKillDisable ? "1" : "0")) }
        if let blkioWeight { result.append(("blkio-weight", String(blkioWeight))) }
        return result
    }

    /// One record back; false for an unknown name or a bad number.
    public mutating func set(_ name: String, _ value: String) -> Bool {
        switch name {
        case "cpuset-cpus": cpusetCpus = value; return true
        case "cpuset-mems": cpusetMems = value; return true
        case "oom-kill-disable": oomKillDisable = value == "1"; return true
        default: break
        }
        guard let number = Int64(value) else { return false }
        switch name {
        case "memory": memory = number
        case "memory-swap": memorySwap = number
        case "memory-reservation": memoryReservation = number
        case "nano-cpus": nanoCpus = number
        case "cpu-quota": cpuQuota = number
        case "cpu-period": cpuPeriod = number
        case "cpu-shares": cpuShares = number
        case "pids-limit": pidsLimit = number
        case "memory-swappiness": memorySwappiness = number
        case "blkio-weight": blkioWeight = number
        default: return false
        }
        return true
    }
}
