/// The one error type cell's libraries throw: what went wrong, said in one line a user can act on,
/// and the exit status the CLI should leave with (Docker's conventions: 1 for a failed operation,
/// 125 for cell's own usage or setup errors, 126/127 for a command that cannot run).
public struct CellError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The arguments are wrong: exit 125.
        case usage
        /// The object named does not exist: exit 1.
        case notFound
        /// The object exists but is in a state that forbids the operation: exit 1.
        case conflict
        /// Input (an archive, a file, a reference) is malformed or hostile: exit 1.
        case invalidInput
        /// The system refused (I/O, permissions, a full disk): exit 1.
        case system
        /// cell itself failed to set something up (runtime errors before the command runs): exit 125.
        case setup
        /// The container command cannot be invoked: exit 126.
        case commandNotExecutable
        /// The container command was not found: exit 127.
        case commandNotFound
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public var exitCode: Int32 {
        switch kind {
        case .usage, .setup: return 125
        case .commandNotExecutable: return 126
        case .commandNotFound: return 127
        case .notFound, .conflict, .invalidInput, .system: return 1
        }
    }

    public static func usage(_ message: String) -> CellError { CellError(.usage, message) }
    public static func notFound(_ message: String) -> CellError { CellError(.notFound, message) }
    public static func conflict(_ message: String) -> CellError { CellError(.conflict, message) }
    public static func invalidInput(_ message: String) -> CellError { CellError(.invalidInput, message) }
    public static func system(_ message: String) -> CellError { CellError(.system, message) }
}
