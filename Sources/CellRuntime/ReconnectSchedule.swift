import CellCore

/// When a log driver tries its receiver again: the first try after losing a connection at once,
/// then after each failure in a row a wait 1.5 times the one before, from `firstWait` up to a
/// minute (fluent-logger-golang's back-off, which Docker's fluentd driver uses). Times are the
/// monotonic clock's, so a poll loop sleeps until `millisecondsUntilDue` instead of spinning.
public struct ReconnectSchedule {
    public let firstWait: Double
    public static let maximumWait = 60.0
    /// Failed tries since the last connection.
    public private(set) var failures = 0
    private var due = 0.0

    public init(firstWait seconds: Double) {
        firstWait = max(0, seconds)
    }

    public mutating func failed(at now: Double = Deadline.monotonicNow()) {
        failures += 1
        var wait = firstWait
        for _ in 1..<failures where wait < ReconnectSchedule.maximumWait { wait *= 1.5 }
        due = now + min(wait, ReconnectSchedule.maximumWait)
    }

    public mutating func connected() {
        failures = 0
        due = 0
    }

    public func isDue(at now: Double = Deadline.monotonicNow()) -> Bool { now >= due }

    /// For poll(): 0 when due, else the wait rounded up.
    public func millisecondsUntilDue(at now: Double = Deadline.monotonicNow()) -> Int32 {
        now >= due ? 0 : Int32(min(((due - now) * 1000).rounded(.up), Double(Int32.max)))
    }
}
