#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// Where messages go: results on stdout, one-line errors on stderr, docker's exit codes.
enum Output {
    static func line(_ text: String) {
        print(text)
    }

    static func error(_ text: String) {
        flush()
        let line = Array((text + "\n").utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// Flushes stdout (all C streams: `stdout` itself is not concurrency-safe to name in Swift 6).
    static func flush() {
        fflush(nil)
    }

    static func fail(_ error: CellError) -> Never {
        self.error(error.kind == .usage ? usageText(error.message) : "Error: \(error.message)")
        flush()
        exit(error.exitCode)
    }

    /// The command being run (`run`, `container ls`), for the help line of a usage error.
    nonisolated(unsafe) static var commandPath: String?

    /// A usage error as the Docker CLI words it: a bad flag value with the command's usage line
    /// (`invalid argument "x" for "--dns" flag: ...`), anything else after `cell:`; both ending
    /// with where to find help.
    static func usageText(_ message: String) -> String {
        guard let path = commandPath else { return "cell: \(message)\n\nRun 'cell --help' for more information" }
        let help = "Run 'cell \(path) --help' for more information"
        if message.hasPrefix("invalid argument \""), let usage = CommandLineMistakes.usages[path] {
            return "\(message)\n\n\(CommandLineMistakes.usageLine(path, usage))\n\n\(help)"
        }
        return "cell: \(message)\n\n\(help)"
    }
}
