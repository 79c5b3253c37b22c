#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// An error docker reports as coming from its daemon: "Error response from daemon: ...", exit 1
/// (125 for cell's own failures to set up).
struct DaemonError: Error {
    let error: CellError
    init(_ error: CellError) { self.error = error }
}

extension DaemonError {
    /// Prints and exits the way docker does.
    func report() -> Never {
        Output.error("Error response from daemon: \(error.message)")
        Output.flush()
        exit(error.exitCode)
    }
}

extension DaemonError {
    /// Runs `body`, reporting its CellErrors (but usage errors) as the daemon's.
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CellError where error.kind != .usage {
            throw DaemonError(error)
        }
    }
}
