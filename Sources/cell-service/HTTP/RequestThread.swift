#if canImport(Glibc)
import Glibc
#endif
import CellCore
import NIOConcurrencyHelpers

/// Each request runs on a thread of its own, off the event loop: the library's operations block
/// (file locks, the monitor's start handshake, a stop's grace period, a wait for as long as a
/// container runs), and one slow request must not hold up another. Plain detached pthreads: a
/// thread costs tens of microseconds to start, next to milliseconds of store reads, and a fixed
/// pool would let a few long waits starve every other client.
enum RequestThread {
    /// More at once is refused (503): the socket is root's, so this bounds accidents, not attacks.
    static let limit = 512

    private static let running = NIOLockedValueBox(0)

    /// Starts `body` on a new thread; false when the limit is reached or no thread could start.
    static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        let admitted = running.withLockedValue { count -> Bool in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard admitted else { return false }
        let started = detach {
            body()
            let idle = running.withLockedValue { count -> Bool in
                count -= 1
                return count == 0
            }
            // What a burst of requests allocated (glibc keeps it in per-thread arenas) goes back
            // to the system once none is left: the service idles small.
            if idle { ServiceHeap.releaseFreeMemory() }
        }
        if !started { running.withLockedValue { $0 -= 1 } }
        return started
    }

    /// A thread of the service's own (the signal waiter), outside the requests' count.
    static func startDaemon(_ body: @escaping @Sendable () -> Void) -> Bool {
        detach(body)
    }

    private static func detach(_ body: @escaping @Sendable () -> Void) -> Bool {
        if case .success = NativeThread.start(detached: true, body) { return true }
        return false
    }
}
