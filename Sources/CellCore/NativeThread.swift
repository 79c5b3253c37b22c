#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A plain pthread for a closure: the work these processes hand to threads blocks (waitpid,
/// poll, file locks, a compression beside the monitor's loop), which Swift's cooperative pool
/// must not do. The closure is boxed for pthread_create's one pointer and released by the
/// thread once it has run, or here when no thread could be made.
public enum NativeThread {
    private final class Work {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Starts `body` on a new thread, to be joined (`pthread_join`) or, `detached`, to end on
    /// its own; pthread_create's error when no thread could be made.
    public static func start(detached: Bool = false, _ body: @escaping () -> Void) -> Result<pthread_t, CellError> {
        let work = Unmanaged.passRetained(Work(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, work)
        guard result == 0 else {
            Unmanaged<Work>.fromOpaque(work).release()
            return .failure(CellError.system("pthread_create: \(Syscall.errorString(result))"))
        }
        if detached { pthread_detach(thread) }
        return .success(thread)
    }
}
