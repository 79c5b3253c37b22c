#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A point on the monotonic clock, for retry loops that must give up eventually.
public struct Deadline: Sendable {
    private let end: Double

    public init(after seconds: Double) {
        end = Deadline.monotonicNow() + seconds
    }

    public var hasPassed: Bool { Deadline.monotonicNow() >= end }

    /// Seconds left, never negative.
    public var remaining: Double { max(0, end - Deadline.monotonicNow()) }

    public static func monotonicNow() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// A wait between two polls of a condition (5 ms unless told).
    public static func pause(milliseconds: Int = 5) {
        // tv_nsec must stay below a second: nanosleep refuses 1000 ms as EINVAL at once.
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// Polls `condition` until it holds (true) or the time is up (false).
    public static func wait(timeout: Double, until condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Deadline(after: timeout)
        while true {
            if try condition() { return true }
            if deadline.hasPassed { return false }
            pause()
        }
    }
}
