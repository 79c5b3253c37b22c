#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime

/// Stops a build from outside it, as Docker's daemon stops one whose client has gone (the Engine
/// API's `docker build` interrupted with Ctrl-C): no step starts after `cancel()`, and the RUN
/// container under way is killed. The build then fails as any failed build does: its image is
/// never named, its containers and layers in the making are removed.
public final class BuildCancellation: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var cancelled = false
    /// The directory of the RUN container that runs now.
    private var running: String?

    public init() { pthread_mutex_init(&mutex, nil) }

    deinit { pthread_mutex_destroy(&mutex) }

    public func cancel() {
        let container = locked { () -> String? in
            cancelled = true
            return running
        }
        if let container { _ = try? ContainerSignaller.signal(containerDirectory: container, signal: SIGKILL) }
    }

    public var isCancelled: Bool { locked { cancelled } }

    /// Before each step.
    func check() throws {
        if isCancelled { throw CellError.conflict("the build was cancelled") }
    }

    /// A RUN container has started: a cancel kills it (and one that came while it started does now).
    func started(_ containerDirectory: String) {
        let already = locked { () -> Bool in
            running = containerDirectory
            return cancelled
        }
        if already { _ = try? ContainerSignaller.signal(containerDirectory: containerDirectory, signal: SIGKILL) }
    }

    func ended() {
        locked { running = nil }
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
