#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM, SIGINT and SIGHUP end the service: blocked in every thread from the start (call
/// `block` before any thread is made), and taken by one thread that waits for them. Containers are
/// not touched: their monitors are sessions of their own.
enum TerminationSignals {
    private static var set: sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, signal) }
        return signals
    }

    static func block() {
        var signals = set
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }

    /// Calls `action` (once) on a thread of its own when one of the signals comes.
    static func onSignal(_ action: @escaping @Sendable () -> Void) {
        _ = RequestThread.startDaemon {
            var signals = set
            var received: Int32 = 0
            while sigwait(&signals, &received) != 0 {}
            action()
        }
    }
}
