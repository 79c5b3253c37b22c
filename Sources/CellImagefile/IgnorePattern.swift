import CellCore

/// One `.dockerignore` line compiled as moby/patternmatcher compiles it: `*` and `?` stop at `/`,
/// `**` crosses directories, `[...]` classes, `\` escapes. Like Docker, literal patterns compare as
/// strings, `foo**` as a prefix and `**foo` as a suffix; the rest through a wildcard matcher.
public struct IgnorePattern: Sendable, Equatable {
    /// The cleaned pattern without its `!`.
    public let pattern: String
    /// `!pattern`: re-includes what earlier patterns excluded.
    public let isException: Bool

    enum Kind: Equatable { case exact, prefix, suffix, wildcard }
    enum Token: Equatable {
        case literal(Unicode.Scalar)
        case anyInSegment        // *
        case oneInSegment        // ?
        case anyDirectories      // **/ or ** inside: (.*/)?
        case anything            // trailing **: .*
        case characterClass(negated: Bool, ranges: [ClosedRange<UInt32>])
    }

    let kind: Kind
    let tokens: [Token]

    public init(_ pattern: String, isException: Bool) throws(CellError) {
        self.pattern = pattern
        self.isException = isException
        (kind, tokens) = try Self.compile(pattern)
    }

    private static func compile(_ pattern: String) throws(CellError) -> (Kind, [Token]) {
        let scalars = Array(pattern.unicodeScalars)
        var kind = Kind.exact
        var tokens: [Token] = []
        var index = 0
        var isFirst = true
        func bad() -> CellError { CellError.invalidInput("syntax error in pattern: \(pattern)") }
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            defer { isFirst = false }
            switch scalar {
            case "*":
                if index < scalars.count, scalars[index] == "*" {
                    index += 1
                    if index < scalars.count, scalars[index] == "/" { index += 1 }
                    if index == scalars.count {
                        if kind == .exact {
                            kind = .prefix
                        } else {
                            tokens.append(.anything)
                            kind = .wildcard
                        }
                    } else {
                        tokens.append(.anyDirectories)
                        kind = .wildcard
                    }
                    if isFirst { kind = .suffix }
                } else {
                    tokens.append(.anyInSegment)
                    kind = .wildcard
                }
            case "?":
                tokens.append(.oneInSegment)
                kind = .wildcard
            case "\\":
                if index < scalars.count {
                    tokens.append(.literal(scalars[index]))
                    index += 1
                    kind = .wildcard
                } else {
                    tokens.append(.literal("\\"))
                }
            case "[":
                kind = .wildcard
                var negated = false
                if index < scalars.count, scalars[index] == "^" {
                    negated = true
                    index += 1
                }
                var ranges: [ClosedRange<UInt32>] = []
                var closed = false
                var first = true
                while index < scalars.count {
                    var low = scalars[index]
                    index += 1
                    if low == "]" && !first {
                        closed = true
                        break
                    }
                    first = false
                    if low == "\\" {
                        guard index < scalars.count else { throw bad() }
                        low = scalars[index]
                        index += 1
                    }
                    var high = low
                    if index + 1 < scalars.count, scalars[index] == "-", scalars[index + 1] != "]" {
                        high = scalars[index + 1]
                        index += 2
                        if high == "\\" {
                            guard index < scalars.count else { throw bad() }
                            high = scalars[index]
                            index += 1
                        }
                    }
                    guard low.value <= high.value else { throw bad() }
                    ranges.append(low.value...high.value)
                }
                guard closed else { throw bad() }
                tokens.append(.characterClass(negated: negated, ranges: ranges))
            case "]":
                tokens.append(.literal("]"))
                kind = .wildcard
            default:
                tokens.append(.literal(scalar))
            }
        }
        return (kind, tokens)
    }

    /// Whether `path` (clean, slash-separated, relative) matches this pattern itself.
    public func matches(_ path: String) -> Bool {
        switch kind {
        case .exact:
            return path == pattern
        case .prefix:
            return path.hasPrefix(String(pattern.dropLast(2)))
        case .suffix:
            let suffix = String(pattern.dropFirst(2))
            if path.hasSuffix(suffix) { return true }
            return suffix.hasPrefix("/") && path == String(suffix.dropFirst())
        case .wildcard:
            return Self.match(tokens[...], Array(path.unicodeScalars)[...], partial: false)
        }
    }

    /// Whether some path strictly inside `directory` could match: the context walker must then
    /// descend into an excluded directory because an exception may bring files back.
    func mayMatch(below directory: String) -> Bool {
        let prefix = directory + "/"
        switch kind {
        case .exact:
            return pattern.hasPrefix(prefix)
        case .prefix:
            let literal = String(pattern.dropLast(2))
            return literal.hasPrefix(prefix) || prefix.hasPrefix(literal)
        case .suffix:
            return true
        case .wildcard:
            return Self.match(tokens[...], Array(prefix.unicodeScalars)[...], partial: true)
        }
    }

    /// Backtracking matcher. With `partial`, running out of text first counts as a match (the
    /// text is only the beginning of a path).
    private static func match(_ tokens: ArraySlice<Token>, _ text: ArraySlice<Unicode.Scalar>, partial: Bool) -> Bool {
        guard let token = tokens.first else { return text.isEmpty }
        if partial && text.isEmpty { return true }
        let rest = tokens.dropFirst()
        switch token {
        case .literal(let scalar):
            return text.first == scalar && match(rest, text.dropFirst(), partial: partial)
        case .oneInSegment:
            guard let first = text.first, first != "/" else { return false }
            return match(rest, text.dropFirst(), partial: partial)
        case .characterClass(let negated, let ranges):
            guard let first = text.first else { return false }
            let inClass = ranges.contains { $0.contains(first.value) }
            return inClass != negated && match(rest, text.dropFirst(), partial: partial)
        case .anyInSegment:
            var remaining = text
            while true {
                if match(rest, remaining, partial: partial) { return true }
                guard let first = remaining.first, first != "/" else { return false }
                remaining = remaining.dropFirst()
            }
        case .anything:
            return true
        case .anyDirectories:
            // Either nothing, or anything that ends with a slash.
            if match(rest, text, partial: partial) { return true }
            var index = text.startIndex
            while index < text.endIndex {
                if text[index] == "/" && match(rest, text[(index + 1)...], partial: partial) { return true }
                index += 1
            }
            return partial
        }
    }
}
