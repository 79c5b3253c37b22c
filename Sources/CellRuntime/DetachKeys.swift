import CellCore

/// The key sequence that detaches a client from a `-t` container (Docker's default Ctrl-P
/// Ctrl-Q), found in a stream of typed bytes. A partial match is held back until the next
/// byte decides it.
public struct DetachKeys: Equatable, Sendable {
    public let sequence: [UInt8]
    private var matched = 0

    /// Ctrl-P Ctrl-Q.
    public static let defaultSequence: [UInt8] = [0x10, 0x11]

    public init(sequence: [UInt8] = DetachKeys.defaultSequence) {
        self.sequence = sequence
    }

    /// Docker's `--detach-keys` form: keys separated by commas, each a single character,
    /// `ctrl-X` (X one of `@`, `a`-`z`, `[`, `\`, `]`, `^`, `_`) or `DEL`. An empty text is
    /// the default. Docker's words for anything else.
    public init(parsing text: String) throws {
        guard !text.isEmpty else {
            self.init()
            return
        }
        var codes: [UInt8] = []
        for key in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bytes = Array(key.utf8)
            if bytes.count == 1 {
                codes.append(bytes[0])
            } else if let code = DetachKeys.controlCode(key) {
                codes.append(code)
            } else if key == "DEL" {
                codes.append(0x7f)
            } else {
                throw CellError(.invalidInput, "Invalid detach keys (\(text)) provided")
            }
        }
        self.init(sequence: codes)
    }

    /// `ctrl-@` is 0, `ctrl-a` 1 ... `ctrl-z` 26, then `ctrl-[` `ctrl-\` `ctrl-]` `ctrl-^` `ctrl-_`.
    private static func controlCode(_ key: Substring) -> UInt8? {
        let bytes = Array(key.utf8)
        guard bytes.count == 6, key.hasPrefix("ctrl-") else { return nil }
        let last = bytes[5]
        switch last {
        case UInt8(ascii: "@"): return 0
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return last - UInt8(ascii: "a") + 1
        case UInt8(ascii: "["), UInt8(ascii: "\\"), UInt8(ascii: "]"), UInt8(ascii: "^"), UInt8(ascii: "_"):
            return last - UInt8(ascii: "[") + 27
        default: return nil
        }
    }

    /// The `--detach-keys` form of `sequence` (what the monitor is given on its command line).
    public var description: String {
        sequence.map { code -> String in
            switch code {
            case 0: return "ctrl-@"
            case 1...26: return "ctrl-" + String(UnicodeScalar(code - 1 + UInt8(ascii: "a")))
            case 27...31: return "ctrl-" + String(UnicodeScalar(code - 27 + UInt8(ascii: "[")))
            case 0x7f: return "DEL"
            default: return String(UnicodeScalar(code))
            }
        }.joined(separator: ",")
    }

    /// The bytes to forward, and whether the sequence was typed (bytes after it are dropped).
    public mutating func scan(_ bytes: ArraySlice<UInt8>) -> (forward: [UInt8], detach: Bool) {
        var forward: [UInt8] = []
        for byte in bytes {
            if byte == sequence[matched] {
                matched += 1
                if matched == sequence.count { return (forward, true) }
            } else {
                forward += sequence[0..<matched]
                matched = 0
                if byte == sequence[0] { matched = 1 } else { forward.append(byte) }
            }
        }
        return (forward, false)
    }
}
