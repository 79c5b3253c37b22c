import NIOCore

/// `--time`: the service ends after that many seconds with no client connected and no request in
/// progress (Podman's `system service --time`; 0 keeps it running). Counted on the one event loop,
/// so no lock is needed: request threads report their end through the loop.
final class ServiceActivity {
    private let eventLoop: any EventLoop
    private let idleTimeout: TimeAmount?
    private let onIdle: () -> Void
    private var connections = 0
    private var requests = 0
    private var timer: Scheduled<Void>?

    /// `idleSeconds` 0: never idle out.
    init(eventLoop: any EventLoop, idleSeconds: Int, onIdle: @escaping () -> Void) {
        self.eventLoop = eventLoop
        self.idleTimeout = idleSeconds > 0 ? .seconds(Int64(idleSeconds)) : nil
        self.onIdle = onIdle
    }

    func start() { rearm() }

    func connectionOpened() { connections += 1; rearm() }
    func connectionClosed() { connections -= 1; rearm() }
    func requestStarted() { requests += 1; rearm() }
    func requestFinished() { requests -= 1; rearm() }

    private func rearm() {
        eventLoop.assertInEventLoop()
        timer?.cancel()
        timer = nil
        guard let idleTimeout, connections == 0, requests == 0 else { return }
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        timer = eventLoop.scheduleTask(in: idleTimeout) {
            let activity = bound.value
            if activity.connections == 0 && activity.requests == 0 { activity.onIdle() }
        }
    }
}
