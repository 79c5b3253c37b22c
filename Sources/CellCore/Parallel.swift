#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs independent pieces of blocking work (each mostly waits on a container) on a few threads.
/// Plain threads, not Swift concurrency: the work blocks in waitpid and poll, which a cooperative
/// pool must not do, and the CLI stays synchronous.
public enum Parallel {
    /// Calls `body(i)` for every i in 0..<count, at most `width` at a time; returns when all are done.
    public static func forEach(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        let threads = max(1, min(width, count))
        if threads == 1 {
            for index in 0..<count { body(index) }
            return
        }
        let queue = WorkQueue(count: count, body: body)
        var started: [pthread_t] = []
        for _ in 1..<threads {
            if case .success(let thread) = NativeThread.start({ queue.drain() }) { started.append(thread) }
        }
        queue.drain()
        for thread in started { pthread_join(thread, nil) }
    }

    /// The next index to work on, shared by the threads.
    private final class WorkQueue: @unchecked Sendable {
        private var mutex = pthread_mutex_t()
        private var next = 0
        private let count: Int
        private let body: @Sendable (Int) -> Void

        init(count: Int, body: @escaping @Sendable (Int) -> Void) {
            self.count = count
            self.body = body
            pthread_mutex_init(&mutex, nil)
        }

        deinit { pthread_mutex_destroy(&mutex) }

        func drain() {
            while let index = take() { body(index) }
        }

        private func take() -> Int? {
            pthread_mutex_lock(&mutex)
            defer { pthread_mutex_unlock(&mutex) }
            guard next < count else { return nil }
            next += 1
            return next - 1
        }
    }
}

/// A value several threads fill in, one slot each (results of `Parallel.forEach`).
public final class SharedSlots<Value>: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var values: [Value?]

    public init(count: Int) {
        values = Array(repeating: nil, count: count)
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    public subscript(index: Int) -> Value? {
        get {
            pthread_mutex_lock(&mutex)
            defer { pthread_mutex_unlock(&mutex) }
            return values[index]
        }
        set {
            pthread_mutex_lock(&mutex)
            defer { pthread_mutex_unlock(&mutex) }
            values[index] = newValue
        }
    }
}
