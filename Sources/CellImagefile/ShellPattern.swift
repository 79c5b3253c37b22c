import CellCore

/// The wildcard patterns of `${var#pattern}`, `${var%pattern}` and `${var/pattern/replacement}`:
/// `*` is any run of characters, `?` one character, `\` escapes `*`, `?` and `\` (and is dropped
/// before `}` and `/`, which it only shields from the `${}` syntax). No bracket expressions, as in BuildKit.
struct ShellPattern {
    enum Token: Equatable {
        case literal(Unicode.Scalar)
        case anyCharacter
        case anyRun
    }

    let tokens: [Token]

    init(_ pattern: String) throws(CellError) {
        let scalars = Array(pattern.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "*": tokens.append(.anyRun)
            case "?": tokens.append(.anyCharacter)
            case "\\":
                if index < scalars.count, scalars[index] == "}" || scalars[index] == "/" { continue }
                guard index < scalars.count, ["*", "?", "\\"].contains(scalars[index]) else {
                    let next = index < scalars.count ? String(scalars[index]) : ""
                    throw CellError.invalidInput("invalid pattern (\(pattern)) in substitution: invalid escape '\\\(next)'")
                }
                tokens.append(.literal(scalars[index]))
                index += 1
            default: tokens.append(.literal(scalar))
            }
        }
        self.tokens = tokens
    }

    /// Whether the whole of `text` matches the pattern.
    func matches(_ text: ArraySlice<Unicode.Scalar>) -> Bool {
        Self.match(tokens[...], text)
    }

    private static func match(_ tokens: ArraySlice<Token>, _ text: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = tokens.first else { return text.isEmpty }
        switch first {
        case .literal(let scalar):
            guard text.first == scalar else { return false }
            return match(tokens.dropFirst(), text.dropFirst())
        case .anyCharacter:
            guard !text.isEmpty else { return false }
            return match(tokens.dropFirst(), text.dropFirst())
        case .anyRun:
            var rest = text
            while true {
                if match(tokens.dropFirst(), rest) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        }
    }

    /// `${var#pattern}` / `${var##pattern}`: removes the shortest (or longest) matching prefix.
    func removingPrefix(of value: String, longest: Bool) -> String {
        let scalars = Array(value.unicodeScalars)
        let ends = longest ? Array((0...scalars.count).reversed()) : Array(0...scalars.count)
        for end in ends where matches(scalars[0..<end]) {
            return String(scalars: scalars[end...])
        }
        return value
    }

    /// `${var%pattern}` / `${var%%pattern}`: removes the shortest (or longest) matching suffix.
    func removingSuffix(of value: String, longest: Bool) -> String {
        let scalars = Array(value.unicodeScalars)
        let starts = longest ? Array(0...scalars.count) : Array((0...scalars.count).reversed())
        for start in starts where matches(scalars[start...]) {
            return String(scalars: scalars[..<start])
        }
        return value
    }

    /// `${var/pattern/replacement}` and `${var//pattern/replacement}`: leftmost, longest matches.
    func replacing(in value: String, with replacement: String, all: Bool) -> String {
        let scalars = Array(value.unicodeScalars)
        var out = String.UnicodeScalarView()
        var position = 0
        var replaced = false
        while position <= scalars.count, all || !replaced {
            guard let (start, end) = firstMatch(in: scalars, from: position) else { break }
            out.append(contentsOf: scalars[position..<start])
            out.append(contentsOf: replacement.unicodeScalars)
            replaced = true
            if end == start {
                if start < scalars.count { out.append(scalars[start]) }
                position = start + 1
            } else {
                position = end
            }
        }
        if position < scalars.count { out.append(contentsOf: scalars[position...]) }
        return String(out)
    }

    private func firstMatch(in scalars: [Unicode.Scalar], from position: Int) -> (Int, Int)? {
        for start in position...scalars.count {
            for end in stride(from: scalars.count, through: start, by: -1) where matches(scalars[start..<end]) {
                return (start, end)
            }
        }
        return nil
    }
}
