import ArgumentParser
import CellContainers
import CellCore
import CellFormat

/// docker's resource flags, shared by `run`/`create` and `update`.
struct ResourceFlags: ParsableArguments {
    @Option(name: [.customShort("m"), .long], help: "Memory limit.")
    var memory: String?

    @Option(name: .customLong("memory-swap"), parsing: .unconditional, help: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap.")
    var memorySwap: String?

    @Option(name: .customLong("memory-reservation"), help: "Memory soft limit.")
    var memoryReservation: String?

    @Option(help: "Number of CPUs.")
    var cpus: String?

    @Option(name: [.customShort("c"), .customLong("cpu-shares")], parsing: .unconditional, help: "CPU shares (relative weight).")
    var cpuShares: Int64?

    @Option(name: .customLong("cpu-period"), parsing: .unconditional, help: "Limit CPU CFS (Completely Fair Scheduler) period.")
    var cpuPeriod: Int64?

    @Option(name: .customLong("cpu-quota"), parsing: .unconditional, help: "Limit CPU CFS (Completely Fair Scheduler) quota.")
    var cpuQuota: Int64?

    @Option(name: .customLong("cpuset-cpus"), help: "CPUs in which to allow execution (0-3, 0,1).")
    var cpusetCpus: String?

    @Option(name: .customLong("pids-limit"), parsing: .unconditional, help: "Tune container pids limit (set -1 for unlimited).")
    var pidsLimit: Int64?

    @Option(name: .customLong("cpuset-mems"), help: "MEMs in which to allow execution (0-3, 0,1).")
    var cpusetMems: String?

    @Option(name: .customLong("blkio-weight"), help: "Block IO (relative weight), between 10 and 1000, or 0 to disable.")
    var blkioWeight: UInt16?

    /// The resource flags as numbers, with docker's messages for what does not parse.
    func resourceLimits() throws -> ResourceLimits {
        func bytes(_ text: String?, flag: String, allowUnlimited: Bool = false) throws -> Int64? {
            guard let text else { return nil }
            if allowUnlimited && text == "-1" { return -1 }
            do {
                return try HumanUnits.ramInBytes(text)
            } catch let error as CellError {
                throw CellError.usage("invalid argument \"\(text)\" for \"\(flag)\" flag: \(error.message)")
            }
        }
        var limits = ResourceLimits()
        limits.memory = try bytes(memory, flag: "-m, --memory")
        limits.memorySwap = try bytes(memorySwap, flag: "--memory-swap", allowUnlimited: true)
        limits.memoryReservation = try bytes(memoryReservation, flag: "--memory-reservation")
        if let cpus {
            guard let value = Double(cpus), value.isFinite else {
                throw CellError.usage("invalid argument \"\(cpus)\" for \"--cpus\" flag: failed to parse \(cpus) as a rational number")
            }
            // Out of Int64's range is out of the CPUs' range too: validate() says so.
            limits.nanoCpus = abs(value) < 9e9 ? Int64((value * 1e9).rounded()) : Int64.max
        }
        limits.cpuQuota = cpuQuota
        limits.cpuPeriod = cpuPeriod
        limits.cpuShares = cpuShares
        limits.cpusetCpus = cpusetCpus
        limits.pidsLimit = pidsLimit
        limits.cpusetMems = cpusetMems
        limits.blkioWeight = blkioWeight.map(Int64.init)
        return limits.withZerosUnset()
    }
}
