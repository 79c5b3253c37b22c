#if canImport(Glibc)
import Glibc
#endif

/// Questions asked on the terminal, as `docker login` asks them: the prompt on stdout, the answer
/// read from stdin a byte at a time (nothing after the line is taken from a script's input), a
/// password without echo. A Ctrl-C while echo is off turns it back on before cell ends.
enum TerminalPrompt {
    /// Whether stdin is a terminal a user can answer on.
    static var isInteractive: Bool { isatty(0) == 1 }

    /// The line typed after `prompt`, without its end; nil at the end of input.
    static func ask(_ prompt: String) -> String? {
        show(prompt)
        return readLine(from: 0)
    }

    /// The line typed after `prompt`, not shown as it is typed.
    static func askSecret(_ prompt: String) -> String? {
        var settings = termios()
        guard tcgetattr(0, &settings) == 0 else {
            show(prompt)
            return readLine(from: 0)
        }
        saved = settings
        signal(SIGINT, restoreAndExit)
        var quiet = settings
        quiet.c_lflag &= ~tcflag_t(ECHO)
        // Echo off before the prompt shows: what is typed the instant it appears is not echoed.
        _ = tcsetattr(0, TCSANOW, &quiet)
        show(prompt)
        let answer = readLine(from: 0)
        _ = tcsetattr(0, TCSANOW, &settings)
        signal(SIGINT, SIG_DFL)
        // The Enter that was not echoed.
        show("\n")
        return answer
    }

    /// Text on stdout without a line end, shown now.
    private static func show(_ text: String) {
        print(text, terminator: "")
        Output.flush()
    }

    /// The terminal's settings while echo is off, for the signal handler.
    nonisolated(unsafe) private static var saved = termios()

    private static let restoreAndExit: @convention(c) (Int32) -> Void = { _ in
        _ = tcsetattr(0, TCSANOW, &TerminalPrompt.saved)
        _ = Glibc.write(1, "\n", 1)
        _exit(130)
    }

    /// One line of `descriptor`, read a byte at a time; "\r\n" ends it too.
    static func readLine(from descriptor: Int32) -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(descriptor, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
