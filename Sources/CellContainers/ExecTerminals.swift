#if canImport(Glibc)
import Glibc
#endif
import CellRuntime

/// The terminals of the `-t` execs this process relays, by exec id: `POST /exec/{id}/resize`
/// comes on a connection of its own while another request's thread holds the terminal.
final class ExecTerminals: @unchecked Sendable {
    static let shared = ExecTerminals()

    private var mutex = pthread_mutex_t()
    private var terminals: [String: PseudoTerminal] = [:]

    private init() {
        pthread_mutex_init(&mutex, nil)
    }

    func add(_ terminal: PseudoTerminal, for id: String) {
        pthread_mutex_lock(&mutex)
        terminals[id] = terminal
        pthread_mutex_unlock(&mutex)
    }

    func remove(_ id: String) {
        pthread_mutex_lock(&mutex)
        terminals.removeValue(forKey: id)
        pthread_mutex_unlock(&mutex)
    }

    func terminal(of id: String) -> PseudoTerminal? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return terminals[id]
    }
}
