import CellContainers

/// moby's container.Resources (inlined in a create's HostConfig and in an update's body) as the
/// `ResourceLimits` that `-m`, `--cpus` and the rest make: 0 is "not set", as the flags mean it.
enum ResourcesRequest {
    static func limits(_ fields: inout JSONFields) throws -> ResourceLimits {
        var limits = ResourceLimits()
        limits.cpuShares = try fields.integer("CpuShares")
        limits.memory = try fields.integer("Memory")
        limits.nanoCpus = try fields.integer("NanoCpus")
        limits.blkioWeight = try fields.integer("BlkioWeight")
        limits.cpuPeriod = try fields.integer("CpuPeriod")
        limits.cpuQuota = try fields.integer("CpuQuota")
        limits.cpusetCpus = try fields.string("CpusetCpus").flatMap { $0.isEmpty ? nil : $0 }
        limits.cpusetMems = try fields.string("CpusetMems").flatMap { $0.isEmpty ? nil : $0 }
        limits.memoryReservation = try fields.integer("MemoryReservation")
        limits.memorySwap = try fields.integer("MemorySwap")
        limits.memorySwappiness = try fields.integer("MemorySwappiness") ?? -1
        limits.oomKillDisable = try fields.bool("OomKillDisable") ?? false
        // 0 and -1 are Docker's "unlimited", as the flag's.
        limits.pidsLimit = try fields.integer("PidsLimit").flatMap { $0 == 0 ? nil : $0 }
        return limits.withZerosUnset()
    }
}
