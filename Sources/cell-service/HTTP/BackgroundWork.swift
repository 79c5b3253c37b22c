import NIOConcurrencyHelpers

/// Work a request runs beside its own thread and waits for (a save writing into the pipe that
/// the request's thread forwards to the client): started at once, its result or error taken once.
final class BackgroundWork: @unchecked Sendable {
    private let done = ConditionLock(value: false)
    private var result: Result<Void, any Error> = .success(())

    /// Runs `body` on a thread of its own; throws (503) when no thread can start: running it
    /// here instead would wait for a reader that is this very thread.
    init(_ body: @escaping @Sendable () throws -> Void) throws {
        let run: @Sendable () -> Void = { [self] in
            let outcome = Result { try body() }
            done.lock()
            result = outcome
            done.unlock(withValue: true)
        }
        guard RequestThread.startDaemon(run) else {
            throw APIError(.serviceUnavailable, "no thread could be started for the work: try again")
        }
    }

    func wait() -> Result<Void, any Error> {
        done.lock(whenValue: true)
        defer { done.unlock() }
        return result
    }
}
