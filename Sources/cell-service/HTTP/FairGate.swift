#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// Work whose cost grows with the store (a listing of every container, serialized) admitted
/// `width` at a time, in arrival order. With a thread per request, dozens of clients polling at
/// once would share the cores dozens of ways: every answer would take as long as all of them, a
/// few would starve past their clients' timeouts, and each would hold a whole answer in memory
/// meanwhile. Taking turns (tickets) keeps each wait as long as the queue ahead of it.
final class FairGate: @unchecked Sendable {
    private let width: Int
    private var mutex = pthread_mutex_t()
    private var turn = pthread_cond_t()
    /// The ticket the next caller draws, and the first not admitted yet.
    private var nextTicket = 0
    private var admitted = 0
    private var inside = 0

    init(width: Int) {
        self.width = max(1, width)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&turn, nil)
    }

    /// One per CPU: the listings' work is all CPU once the records are cached.
    static let listings = FairGate(width: ProcessorCount.online)

    func run<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        let ticket = nextTicket
        nextTicket += 1
        while ticket != admitted || inside >= width {
            pthread_cond_wait(&turn, &mutex)
        }
        admitted += 1
        inside += 1
        // The next ticket may go in beside this one.
        pthread_cond_broadcast(&turn)
        pthread_mutex_unlock(&mutex)
        defer {
            pthread_mutex_lock(&mutex)
            inside -= 1
            pthread_cond_broadcast(&turn)
            pthread_mutex_unlock(&mutex)
        }
        return try body()
    }
}
