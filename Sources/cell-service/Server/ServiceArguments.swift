#if canImport(Glibc)
import Glibc
#endif
import CellImage

/// `cell-service [--root DIR] [--time SECONDS] [URI]`, as `cell system service` passes them.
struct ServiceArguments {
    var root: String
    var idleSeconds = 5
    var address: ListenAddress?

    static let usage = """
        Usage:  cell system service [OPTIONS] [URI]

        Serve the Docker Engine API on URI (default unix:///run/cell/cell.sock; tcp://HOST:PORT on a
        loopback address), or on the sockets systemd passes (socket activation).

        Options:
              --root DIR       The store (default: CELL_ROOT, else /var/lib/cell)
          -t, --time SECONDS   Exit after this many seconds without a client (0: never; default 5)
        """

    init(_ arguments: [String]) throws {
        root = getenv("CELL_ROOT").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? StoreLayout.defaultRoot
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw ServiceError("flag needs an argument: \(flag)") }
            return next
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--root": root = try value(argument)
            case "-t", "--time": idleSeconds = try Self.seconds(try value(argument))
            case _ where argument.hasPrefix("--root="): root = String(argument.dropFirst("--root=".count))
            case _ where argument.hasPrefix("--time="): idleSeconds = try Self.seconds(String(argument.dropFirst("--time=".count)))
            case _ where argument.hasPrefix("-") && argument.count > 1:
                throw ServiceError("unknown flag: \(argument)")
            default:
                guard address == nil else { throw ServiceError("accepts at most 1 arg(s), received 2") }
                address = try ListenAddress(parsing: argument)
            }
        }
        guard root.hasPrefix("/") else { throw ServiceError("--root must be an absolute path: \(root)") }
    }

    private static func seconds(_ text: String) throws -> Int {
        guard let seconds = Int(text), seconds >= 0 else {
            throw ServiceError("invalid argument \"\(text)\" for \"-t, --time\" flag: expected seconds, 0 or more")
        }
        return seconds
    }
}
