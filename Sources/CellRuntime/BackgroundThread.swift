#if canImport(Glibc)
import Glibc
#endif

/// One piece of work on a thread of its own, joined by whoever needs it done: the monitor's
/// loop stays single-threaded and free to move the container's output while a rotated log is
/// compressed beside it.
final class BackgroundThread {
    private var thread = pthread_t()
    private var joined = false

    private final class Work {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Starts `body`; when no thread can be made, runs it here and now.
    init(_ body: @escaping () -> Void) {
        let work = Unmanaged.passRetained(Work(body)).toOpaque()
        let started = pthread_create(&thread, nil, { raw in
            Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, work)
        if started != 0 {
            Unmanaged<Work>.fromOpaque(work).takeRetainedValue().body()
            joined = true
        }
    }

    /// Waits for the work to end (at once if it has).
    func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    deinit { join() }
}
