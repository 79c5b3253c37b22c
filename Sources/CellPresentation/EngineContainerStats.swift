import CellCgroups
import CellContainers
import CellCore
import CellFormat

/// moby's StatsJSON: what `GET /containers/{id}/stats` answers, from which `docker stats` and
/// docker-py compute CPU % (the CPU time between `precpu_stats` and `cpu_stats` over the host's)
/// and memory (usage less the inactive page cache, over the limit). Keys in Go's order: the
/// struct's fields as declared, a map's keys sorted; Go's omitempty where moby has it.
public enum EngineContainerStats {
    /// `sample`: now, nil for a container that does not run (Docker's zeros with only the name
    /// and id); `previous`: the one before it, nil for none (the first of a stream, one-shot).
    public static func json(_ container: Container, sample: ContainerResourceSample?, previous: ContainerResourceSample?) -> JSONValue {
        guard let sample else {
            return object(read: .goZero, preread: .goZero, pids: [], blockIO: blockIO(nil), cpu: cpu(nil), precpu: cpu(nil),
                          memory: .object([]), container: container, networks: nil)
        }
        var pids: [(String, JSONValue)] = []
        let current = sample.counters?.pidsCurrent ?? sample.processCount
        if current > 0 { pids.append(("current", .int(current))) }
        if let limit = sample.counters?.pidsLimit, limit > 0 { pids.append(("limit", .int(limit))) }
        return object(read: sample.read, preread: previous?.read ?? .goZero, pids: pids, blockIO: blockIO(sample.counters),
                      cpu: cpu(sample), precpu: cpu(previous), memory: memory(sample.counters), container: container,
                      networks: sample.networks.map(networks))
    }

    private static func object(read: Timestamp, preread: Timestamp, pids: [(String, JSONValue)], blockIO: JSONValue,
                               cpu: JSONValue, precpu: JSONValue, memory: JSONValue, container: Container,
                               networks: JSONValue?) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("read", .string(read.rfc3339Nano)),
            ("preread", .string(preread.rfc3339Nano)),
            ("pids_stats", .object(pids)),
            ("blkio_stats", blockIO),
            ("num_procs", .int(0)),
            ("storage_stats", .object([])),
            ("cpu_stats", cpu),
            ("precpu_stats", precpu),
            ("memory_stats", memory),
            ("name", .string("/" + container.name)),
            ("id", .string(container.id)),
        ]
        if let networks { fields.append(("networks", networks)) }
        return .object(fields)
    }

    /// Bytes by device and operation; moby's other lists (serviced, queued, ...) are nulls on
    /// v2 and on the throttle files cell reads.
    private static func blockIO(_ counters: CgroupCounters?) -> JSONValue {
        let bytes: JSONValue = counters.map { counters in
            .array(counters.blockIO.map { entry in
                .object([("major", .int(entry.major)), ("minor", .int(entry.minor)), ("op", .string(entry.operation)),
                         ("value", .int(entry.value))])
            })
        } ?? .null
        return .object([("io_service_bytes_recursive", counters?.blockIO.isEmpty == false ? bytes : .null)]
            + ["io_serviced_recursive", "io_queue_recursive", "io_service_time_recursive", "io_wait_time_recursive",
               "io_merged_recursive", "io_time_recursive", "sectors_recursive"].map { ($0, .null) })
    }

    private static func cpu(_ sample: ContainerResourceSample?) -> JSONValue {
        let counters = sample?.counters ?? CgroupCounters()
        var usage: [(String, JSONValue)] = [("total_usage", .int(counters.cpuTotal))]
        if !counters.cpuPerCPU.isEmpty { usage.append(("percpu_usage", .array(counters.cpuPerCPU.map { .int($0) }))) }
        usage += [("usage_in_kernelmode", .int(counters.cpuKernel)), ("usage_in_usermode", .int(counters.cpuUser))]
        var fields: [(String, JSONValue)] = [("cpu_usage", .object(usage))]
        if let host = sample?.host {
            if host.nanoseconds > 0 { fields.append(("system_cpu_usage", .int(host.nanoseconds))) }
            if host.onlineCPUs > 0 { fields.append(("online_cpus", .int(host.onlineCPUs))) }
        }
        fields.append(("throttling_data", .object([
            ("periods", .int(counters.throttlePeriods)), ("throttled_periods", .int(counters.throttledPeriods)),
            ("throttled_time", .int(counters.throttledNanoseconds)),
        ])))
        return .object(fields)
    }

    /// usage, max_usage, stats, failcnt, limit, each left out when zero (Go's omitempty): the
    /// clients tell v1 from v2 by the keys of `stats` (total_inactive_file or inactive_file).
    private static func memory(_ counters: CgroupCounters?) -> JSONValue {
        guard let counters else { return .object([]) }
        var fields: [(String, JSONValue)] = []
        if counters.memoryUsage > 0 { fields.append(("usage", .int(counters.memoryUsage))) }
        if counters.memoryMaxUsage > 0 { fields.append(("max_usage", .int(counters.memoryMaxUsage))) }
        if !counters.memoryStat.isEmpty {
            var seen = Set<String>()
            let sorted = counters.memoryStat.filter { seen.insert($0.0).inserted }.sorted { $0.0 < $1.0 }
            fields.append(("stats", .object(sorted.map { ($0.0, .int($0.1)) })))
        }
        if counters.memoryFailures > 0 { fields.append(("failcnt", .int(counters.memoryFailures))) }
        if counters.memoryLimit > 0 { fields.append(("limit", .int(counters.memoryLimit))) }
        return .object(fields)
    }

    /// Per interface, sorted by name (a Go map).
    private static func networks(_ interfaces: [NetworkInterfaceCounters]) -> JSONValue {
        .object(interfaces.sorted { $0.name < $1.name }.map { interface in
            (interface.name, .object([
                ("rx_bytes", .int(interface.receivedBytes)), ("rx_packets", .int(interface.receivedPackets)),
                ("rx_errors", .int(interface.receiveErrors)), ("rx_dropped", .int(interface.receiveDropped)),
                ("tx_bytes", .int(interface.sentBytes)), ("tx_packets", .int(interface.sentPackets)),
                ("tx_errors", .int(interface.sendErrors)), ("tx_dropped", .int(interface.sendDropped)),
            ]))
        })
    }
}
