import NIOConcurrencyHelpers

/// Work a request runs beside its own thread and waits for (a save writing into the pipe that
/// the request's thread forwards to the client): started at once, its result or error taken once.
final class BackgroundWork: @unchecked Sendable {
    private let done = ConditionLock(value: false)
    private var result: Result<Void, any Error> = .success(())

    /// Runs `body` on a thread of its own; if no thread can start, it runs here, at once.
    init(_ body: @escaping @Sendable () throws -> Void) {
        let run: @Sendable () -> Void = { [self] in
            let outcome = Result { try body() }
            done.lock()
            result = outcome
            done.unlock(withValue: true)
        }
        if !RequestThread.startDaemon(run) { run() }
    }

    func wait() -> Result<Void, any Error> {
        done.lock(whenValue: true)
        defer { done.unlock() }
        return result
    }
}
