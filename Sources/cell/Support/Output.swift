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
        self.error(error.kind == .usage ? "cell: \(error.message)\nSee 'cell --help'." : "Error: \(error.message)")
        flush()
        exit(error.exitCode)
    }
}
