/// A parser directive from the top of the file: `# escape=\``, `# syntax=...`, `# check=...`.
public struct ParserDirective: Sendable, Equatable {
    /// Lower-cased name: `escape`, `syntax` or `check`.
    public var name: String
    public var value: String
    public var line: Int

    public init(name: String, value: String, line: Int) {
        self.name = name
        self.value = value
        self.line = line
    }

    static let known: Set<String> = ["escape", "syntax", "check"]

    /// Matches `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` (Go's `\s` is ASCII only, without \v).
    static func match(_ line: String) -> (name: String, value: String)? {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\u{0C}" || scalar == "\r"
        }
        func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
        let scalars = Array(line.unicodeScalars)
        guard scalars.first == "#" else { return nil }
        var index = 1
        while index < scalars.count, isSpace(scalars[index]) { index += 1 }
        let nameStart = index
        guard index < scalars.count, isLetter(scalars[index]) else { return nil }
        while index < scalars.count, isLetter(scalars[index]) || ("0"..."9").contains(scalars[index]) { index += 1 }
        let name = String(scalars: scalars[nameStart..<index])
        while index < scalars.count, isSpace(scalars[index]) { index += 1 }
        guard index < scalars.count, scalars[index] == "=" else { return nil }
        index += 1
        while index < scalars.count, isSpace(scalars[index]) { index += 1 }
        var end = scalars.count
        while end > index, isSpace(scalars[end - 1]) { end -= 1 }
        guard end > index else { return nil }
        return (name, String(scalars: scalars[index..<end]))
    }
}
