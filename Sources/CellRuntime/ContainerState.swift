import CellCore

/// What the monitor knows about its container, in `<container-dir>/state`: rewritten
/// atomically at each change, so a reader sees the old or the new state, never half of one.
public struct ContainerState: Equatable, Sendable {
    public enum Status: String, Equatable, Sendable {
        case created, running, exited
    }

    public var status: Status
    /// The container's init process, as the host sees it; 0 when not running.
    public var pid: Int32
    /// Its start time in clock ticks since boot (field 22 of /proc/<pid>/stat): with the pid,
    /// it identifies the process even after the pid number is reused.
    public var pidStartTime: UInt64
    public var exitCode: Int32
    /// The signal that ended the process, 0 when it exited by itself.
    public var exitSignal: Int32
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    public var oomKilled: Bool
    public var monitorPid: Int32
    /// Why the container could not start (empty when it did).
    public var error: String
    /// Times the monitor started the process again (`--restart`), and whether it is about to
    /// (waiting out its back-off), with the back-off it waited last, in milliseconds.
    public var restartCount: Int = 0
    public var restarting = false
    public var restartDelay: Int = 0

    public init(status: Status = .created, pid: Int32 = 0, pidStartTime: UInt64 = 0, exitCode: Int32 = 0,
                exitSignal: Int32 = 0, startedAt: Timestamp? = nil, finishedAt: Timestamp? = nil,
                oomKilled: Bool = false, monitorPid: Int32 = 0, error: String = "") {
        self.status = status
        self.pid = pid
        self.pidStartTime = pidStartTime
        self.exitCode = exitCode
        self.exitSignal = exitSignal
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.oomKilled = oomKilled
        self.monitorPid = monitorPid
        self.error = error
    }

    public func encoded() throws -> [UInt8] {
        var writer = RecordWriter()
        try writer.append("cell-state", "1")
        try writer.append("status", status.rawValue)
        try writer.append("pid", String(pid))
        try writer.append("pid-start-time", String(pidStartTime))
        try writer.append("exit-code", String(exitCode))
        try writer.append("exit-signal", String(exitSignal))
        if let startedAt { try writer.append("started-at", [String(startedAt.seconds), String(startedAt.nanoseconds)]) }
        if let finishedAt { try writer.append("finished-at", [String(finishedAt.seconds), String(finishedAt.nanoseconds)]) }
        try writer.append("oom-killed", oomKilled ? "1" : "0")
        try writer.append("monitor-pid", String(monitorPid))
        try writer.append("error", error)
        if restartCount > 0 { try writer.append("restart-count", String(restartCount)) }
        if restarting { try writer.append("restarting", "1") }
        if restartDelay > 0 { try writer.append("restart-delay", String(restartDelay)) }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws {
        let document = try RecordDocument(bytes, what: "container state", header: "cell-state")
        let records = document.records
        func timestamp(_ record: Record) throws -> Timestamp {
            guard record.fields.count == 2, let seconds = Int64(record.fields[0]),
                  let nanoseconds = Int32(record.fields[1]) else { throw document.bad(record) }
            return Timestamp(seconds: seconds, nanoseconds: nanoseconds)
        }
        self.init()
        for record in records {
            switch record.key {
            case "status":
                guard let value = Status(rawValue: record.value) else { throw document.bad(record) }
                status = value
            case "pid": pid = try document.number(record)
            case "pid-start-time": pidStartTime = try document.number(record)
            case "exit-code": exitCode = try document.number(record)
            case "exit-signal": exitSignal = try document.number(record)
            case "started-at": startedAt = try timestamp(record)
            case "finished-at": finishedAt = try timestamp(record)
            case "oom-killed": oomKilled = record.value == "1"
            case "monitor-pid": monitorPid = try document.number(record)
            case "error": error = record.value
            case "restart-count": restartCount = try document.number(record)
            case "restarting": restarting = record.value == "1"
            case "restart-delay": restartDelay = try document.number(record)
            default: continue
            }
        }
    }

    public static func path(inContainerDirectory directory: String) -> String { "\(directory)/state" }

    /// The state, or nil when the monitor has not written one yet.
    public static func read(fromContainerDirectory directory: String) throws -> ContainerState? {
        guard let bytes = try FileSystem.readFileIfPresent(path(inContainerDirectory: directory)) else { return nil }
        return try ContainerState(decoding: bytes)
    }

    public func write(toContainerDirectory directory: String, durable: Bool = true) throws {
        try FileSystem.writeAtomically(encoded(), to: ContainerState.path(inContainerDirectory: directory), durable: durable)
    }

    /// Written and synced beside the state file, put in its place by `replace()` (see
    /// PendingReplacement).
    public func pendingWrite(toContainerDirectory directory: String, durable: Bool = true) throws -> PendingReplacement {
        try PendingReplacement(encoded(), for: ContainerState.path(inContainerDirectory: directory), durable: durable)
    }
}
