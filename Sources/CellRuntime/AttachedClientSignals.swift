#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The signal dispositions of a client attached to its container's monitor (`run` without
/// -d, `start -a`), set before the monitor starts so that no Ctrl-C falls between the start
/// and the wait, and restored after.
///
/// Proxying (`--sig-proxy`, the default): Ctrl-C and Ctrl-\ are ignored here, since the
/// monitor is in our process group and the terminal signals it directly; SIGTERM, SIGHUP,
/// SIGUSR1 and SIGUSR2 sent to us are passed on to the monitor, which passes them to the
/// container. Not proxying: every signal keeps its default action, so a Ctrl-C ends us, and
/// the monitor, which drops it, sees us go and detaches.
public final class AttachedClientSignals {
    private var saved: [(Int32, sigaction)] = []
    private let proxying: Bool

    public init(proxying: Bool) {
        self.proxying = proxying
        guard proxying else { return }
        let forward: @convention(c) (Int32) -> Void = { signal in
            if SignalForwarding.target > 0 { kill(SignalForwarding.target, signal) }
        }
        let handlers = [(SIGINT, SIG_IGN), (SIGQUIT, SIG_IGN)] + [SIGTERM, SIGHUP, SIGUSR1, SIGUSR2].map { ($0, forward) }
        for (signal, handler) in handlers {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = handler
            action.sa_flags = SA_RESTART
            var old = sigaction()
            sigaction(signal, &action, &old)
            saved.append((signal, old))
        }
    }

    /// Signals that arrive from now on go to `monitorPid` (before, they are dropped).
    public func forward(to monitorPid: Int32) {
        if proxying { SignalForwarding.target = monitorPid }
    }

    public func restore() {
        for (signal, old) in saved {
            var action = old
            sigaction(signal, &action, nil)
        }
        saved = []
        SignalForwarding.target = 0
    }
}

/// The pid a signal handler forwards to; a plain word, read by the handler, written around it.
enum SignalForwarding {
    nonisolated(unsafe) static var target: pid_t = 0
}
