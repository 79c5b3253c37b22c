import CellContainers
import CellFormat

/// How `docker stats` shows a container's usage (the keys `--format` templates name).
public enum ContainerStatsListing {
    public static let headers: [String: String] = [
        "ID": "CONTAINER ID", "Container": "CONTAINER", "Name": "NAME", "CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT",
        "MemPerc": "MEM %", "NetIO": "NET I/O", "BlockIO": "BLOCK I/O", "PIDs": "PIDS",
    ]

    /// `given` is the name the container was asked for by (`.Container`).
    public static func row(_ stats: ContainerStats, given: String, truncate: Bool) -> JSONValue {
        let usage = stats.current
        let running = stats.container.isRunning
        func pair(_ a: UInt64, _ b: UInt64) -> String {
            "\(HumanUnits.size(Int64(a))) / \(HumanUnits.size(Int64(b)))"
        }
        // --cgroups=disabled: nothing counts its CPU, memory or block I/O; "--", as podman shows
        // what it cannot read.
        func measured(_ text: @autoclosure () -> String, else idle: String) -> String {
            !running ? idle : stats.hasCgroup ? text() : "--"
        }
        return .object([
            ("BlockIO", .string(measured(pair(usage.blockRead, usage.blockWritten), else: "0B / 0B"))),
            ("CPUPerc", .string(measured(HumanUnits.percent(stats.cpuPercent), else: "0.00%"))),
            ("Container", .string(given)),
            ("ID", .string(truncate ? stats.container.shortID : stats.container.id)),
            ("MemPerc", .string(measured(HumanUnits.percent(stats.memoryPercent), else: "0.00%"))),
            ("MemUsage", .string(measured("\(HumanUnits.binarySize(Int64(usage.memoryUsage))) / \(HumanUnits.binarySize(Int64(usage.memoryLimit)))", else: "0B / 0B"))),
            ("Name", .string(stats.container.name)),
            ("NetIO", .string(running ? pair(usage.networkReceived, usage.networkSent) : "0B / 0B")),
            ("PIDs", .string(String(running ? usage.pids : 0))),
        ])
    }
}
