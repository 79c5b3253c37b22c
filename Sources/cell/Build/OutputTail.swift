/// The last lines a running command wrote, as a terminal would show them: a carriage return
/// starts its line over (a progress bar redraws in place), escape sequences and other control
/// bytes are dropped (they would move our own display's cursor), tabs become spaces.
struct OutputTail {
    let capacity: Int
    private(set) var lines: [String] = []
    /// The line being written, not ended yet.
    private var current: [UInt8] = []
    private var escape = Escape.none

    /// Where an escape sequence stands: after ESC, or inside a CSI (`ESC [ ... final`).
    private enum Escape { case none, started, controlSequence }

    static let longestLine = 4096

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func append(_ bytes: [UInt8]) {
        for byte in bytes {
            switch escape {
            case .started:
                escape = byte == UInt8(ascii: "[") ? .controlSequence : .none
                continue
            case .controlSequence:
                // Parameters and intermediates run up to a final byte in @...~.
                if byte >= 0x40 && byte <= 0x7e { escape = .none }
                continue
            case .none:
                break
            }
            switch byte {
            case 0x1b: escape = .started
            case UInt8(ascii: "\n"): endLine()
            case UInt8(ascii: "\r"): current = []
            case UInt8(ascii: "\t"): current += Array(repeating: UInt8(ascii: " "), count: 4)
            case 0..<0x20, 0x7f: continue
            // A line longer than any terminal is shown cut anyway.
            default: if current.count < OutputTail.longestLine { current.append(byte) }
            }
        }
    }

    /// The lines to show, the unfinished one last.
    var shown: [String] {
        let all = current.isEmpty ? lines : lines + [String(decoding: current, as: UTF8.self)]
        return Array(all.suffix(capacity))
    }

    private mutating func endLine() {
        lines.append(String(decoding: current, as: UTF8.self))
        current = []
        if lines.count > capacity { lines.removeFirst(lines.count - capacity) }
    }
}
