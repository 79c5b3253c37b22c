import CellCore

/// A container's health check (an image's HEALTHCHECK, or `--health-*`): the command the
/// monitor runs in the container on schedule, and Docker's rules for what its results mean.
public struct HealthCheck: Equatable, Sendable {
    /// The command: `["CMD", arg...]` runs as is, `["CMD-SHELL", text]` through `/bin/sh -c`.
    public var test: [String]
    public var interval: Double = 30
    public var timeout: Double = 30
    public var startPeriod: Double = 0
    public var startInterval: Double = 5
    public var retries: Int = 3

    public init(test: [String]) {
        self.test = test
    }

    /// The arguments run in the container; nil for none (`NONE`, or an empty test).
    public var arguments: [String]? {
        guard let kind = test.first else { return nil }
        switch kind {
        case "CMD": return test.count > 1 ? Array(test.dropFirst()) : nil
        case "CMD-SHELL": return test.count > 1 ? ["/bin/sh", "-c", test.dropFirst().joined(separator: " ")] : nil
        default: return nil
        }
    }

    /// Docker keeps the last 5 results and up to 4 KiB of a check's output.
    public static let keptResults = 5
    public static let keptOutput = 4096

    /// One run of the check.
    public struct Result: Equatable, Sendable {
        public var start: Timestamp
        public var end: Timestamp
        /// -1 when it timed out or could not start.
        public var exitCode: Int32
        public var output: String

        public init(start: Timestamp, end: Timestamp, exitCode: Int32, output: String) {
            self.start = start
            self.end = end
            self.exitCode = exitCode
            self.output = output
        }
    }

    /// `State.Health`: starting until the first success (or `retries` failures in a row past
    /// the start period), then healthy or unhealthy.
    public struct Status: Equatable, Sendable {
        public var status: String = "starting"
        public var failingStreak: Int = 0
        public var log: [Result] = []

        public init() {}

        /// Takes `result` in, as Docker's daemon does; `inStartPeriod`: a failure then does not count.
        public mutating func record(_ result: Result, retries: Int, inStartPeriod: Bool) {
            log.append(result)
            if log.count > HealthCheck.keptResults { log.removeFirst(log.count - HealthCheck.keptResults) }
            if result.exitCode == 0 {
                status = "healthy"
                failingStreak = 0
            } else if !inStartPeriod || status != "starting" {
                failingStreak += 1
                if failingStreak >= max(retries, 1) { status = "unhealthy" }
            }
        }

        /// `<container-dir>/health`, rewritten atomically by the monitor after each check.
        public static func path(containerDirectory: String) -> String { "\(containerDirectory)/health" }

        public func encoded() throws -> [UInt8] {
            var writer = RecordWriter()
            try writer.append("cell-health", "1")
            try writer.append("status", status)
            try writer.append("failing-streak", String(failingStreak))
            for result in log {
                try writer.append("result", [String(result.start.seconds), String(result.start.nanoseconds), String(result.end.seconds),
                                             String(result.end.nanoseconds), String(result.exitCode), result.output])
            }
            return writer.bytes
        }

        public init(decoding bytes: [UInt8]) throws {
            let document = try RecordDocument(bytes, what: "health", header: "cell-health")
            self.init()
            for record in document.records {
                switch record.key {
                case "status": status = record.value
                case "failing-streak": failingStreak = try document.number(record)
                case "result":
                    let f = record.fields
                    guard f.count == 6, let s1 = Int64(f[0]), let n1 = Int32(f[1]), let s2 = Int64(f[2]), let n2 = Int32(f[3]),
                          let code = Int32(f[4]) else { throw document.bad(record) }
                    log.append(Result(start: Timestamp(seconds: s1, nanoseconds: n1), end: Timestamp(seconds: s2, nanoseconds: n2),
                                      exitCode: code, output: f[5]))
                default: continue
                }
            }
        }

        public static func read(fromContainerDirectory directory: String) -> Status? {
            guard let bytes = try? FileSystem.readFileIfPresent(path(containerDirectory: directory)) else { return nil }
            return try? Status(decoding: bytes)
        }
    }
}

extension HealthCheck.Status {
    /// Reads, changes and rewrites `<container-dir>/health` under `<container-dir>/health.lock`:
    /// the monitor's scheduled runs and `healthcheck run` both record into it, and neither
    /// loses the other's result. Nil when the container's directory is gone.
    @discardableResult
    public static func update(containerDirectory: String, _ change: (inout HealthCheck.Status) -> Void) throws -> HealthCheck.Status? {
        guard let lock = try FileLock.inExistingDirectory("\(containerDirectory)/health.lock") else { return nil }
        return try lock.withLock {
            var status = read(fromContainerDirectory: containerDirectory) ?? HealthCheck.Status()
            change(&status)
            try FileSystem.writeAtomically(try status.encoded(), to: path(containerDirectory: containerDirectory), durable: false)
            return status
        }
    }
}
