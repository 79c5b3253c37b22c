#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// One piece of work on a thread of its own, joined by whoever needs it done: the monitor's
/// loop stays single-threaded and free to move the container's output while a rotated log is
/// compressed beside it.
final class BackgroundThread {
    private var thread: pthread_t?

    /// Starts `body`; when no thread can be made, runs it here and now.
    init(_ body: @escaping () -> Void) {
        thread = try? NativeThread.start(body).get()
        if thread == nil { body() }
    }

    /// Waits for the work to end (at once if it has).
    func join() {
        guard let thread else { return }
        self.thread = nil
        pthread_join(thread, nil)
    }

    deinit { join() }
}
