/// How Docker's parser splits one logical line into keyword, flags and arguments. Each keyword has
/// its own argument rules (BuildKit's `line_parsers.go`); reproducing them exactly is what makes
/// every Dockerfile build unchanged.
enum InstructionSyntax {
    struct Parsed {
        var arguments: [String] = []
        var isJSON = false
        var trigger: Instruction?
    }

    struct Failure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// Every instruction keyword Docker knows, lower-cased.
    static let keywords: Set<String> = [
        "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label",
        "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir",
    ]

    /// Keyword, flags and the remaining argument text of a logical line.
    static func splitCommand(_ line: String) -> (keyword: String, flags: [String], rest: String) {
        let parts = GoText.splitOnTokenSpace(GoText.trimSpace(line), limit: 2)
        guard parts.count == 2 else { return (parts[0], [], "") }
        let (rest, flags) = extractFlags(parts[1])
        return (parts[0], flags, GoText.trimSpace(rest))
    }

    /// Leading words starting with `--` are flags; a lone `--` ends them. Quotes are removed and
    /// `\` escapes the next character (always `\` here, whatever the escape directive says).
    static func extractFlags(_ line: String) -> (rest: String, flags: [String]) {
        var scanner = QuotedWordScanner(line, style: .unquoted)
        var flags: [String] = []
        while scanner.skipSpaces() {
            guard scanner.isAtPrefix("--") else { return (scanner.remainder, flags) }
            let word = scanner.nextWord()
            if word == "--" { return (scanner.remainder, flags) }
            if let word { flags.append(word) }
        }
        return ("", flags)
    }

    /// The arguments for `keyword` (lower-cased) from the text after the flags.
    static func parseArguments(keyword: String, rest: String, escape: Unicode.Scalar) throws(Failure) -> Parsed {
        switch keyword {
        case "add", "copy", "volume": return try maybeJSONToList(rest)
        case "arg": return Parsed(arguments: words(rest, escape: escape))
        case "cmd", "entrypoint", "run", "shell": return try maybeJSON(rest)
        case "env": return Parsed(arguments: try nameValues(rest, keyword: "ENV", escape: escape))
        case "label": return Parsed(arguments: try nameValues(rest, keyword: "LABEL", escape: escape))
        case "expose", "from": return Parsed(arguments: whitespaceDelimited(rest))
        case "healthcheck": return try healthcheck(rest)
        case "maintainer", "stopsignal", "user", "workdir": return Parsed(arguments: rest.isEmpty ? [] : [rest])
        default: return Parsed()
        }
    }

    static func whitespaceDelimited(_ rest: String) -> [String] {
        rest.isEmpty ? [] : GoText.splitOnTokenSpace(rest)
    }

    static func json(_ rest: String) throws(Failure) -> [String]? {
        switch JSONArray.parse(rest) {
        case .notJSON: return nil
        case .notStringArray: throw Failure("when using JSON array syntax, arrays must be comprised of strings only")
        case .strings(let strings): return strings
        }
    }

    /// JSON array if it parses as one; otherwise the whole text as one shell-form string.
    static func maybeJSON(_ rest: String) throws(Failure) -> Parsed {
        if rest.isEmpty { return Parsed() }
        if let strings = try json(rest) { return Parsed(arguments: strings, isJSON: true) }
        return Parsed(arguments: [rest])
    }

    /// JSON array if it parses as one; otherwise whitespace-separated words.
    static func maybeJSONToList(_ rest: String) throws(Failure) -> Parsed {
        if let strings = try json(rest) { return Parsed(arguments: strings, isJSON: true) }
        return Parsed(arguments: whitespaceDelimited(rest))
    }

    /// HEALTHCHECK: the first word is the type (CMD, NONE), the rest is like CMD's arguments.
    static func healthcheck(_ rest: String) throws(Failure) -> Parsed {
        let scalars = Array(rest.unicodeScalars)
        var separator = 0
        while separator < scalars.count, !GoText.isSpace(scalars[separator]) { separator += 1 }
        var next = separator
        while next < scalars.count, GoText.isSpace(scalars[next]) { next += 1 }
        if separator == 0 { return Parsed() }
        var parsed = try maybeJSON(String(scalars: scalars[next...]))
        parsed.arguments.insert(String(scalars: scalars[..<separator]), at: 0)
        return parsed
    }

    /// ENV and LABEL: `key value` (legacy, one pair, the value taken raw) or `k=v k2=v2`.
    /// Each pair becomes (key, value, separator) where separator is "=" or "" for the legacy form.
    static func nameValues(_ rest: String, keyword: String, escape: Unicode.Scalar) throws(Failure) -> [String] {
        let words = words(rest, escape: escape)
        guard let first = words.first else { return [] }
        if !first.contains("=") {
            let parts = GoText.splitOnTokenSpace(rest, limit: 2)
            guard parts.count == 2 else { throw Failure("\(keyword) must have two arguments") }
            return [parts[0], parts[1], ""]
        }
        var triples: [String] = []
        for word in words {
            guard let equals = word.firstIndex(of: "=") else {
                throw Failure("Syntax error - can't find = in \(GoText.quote(word)). Must be of the form: name=value")
            }
            triples += [String(word[..<equals]), String(word[word.index(after: equals)...]), "="]
        }
        return triples
    }

    /// Splits on white space outside quotes, keeping quotes and escapes in the words (they are
    /// removed later, by variable expansion). The escape character escapes anything outside
    /// single quotes; a trailing one is dropped.
    static func words(_ rest: String, escape: Unicode.Scalar) -> [String] {
        var scanner = QuotedWordScanner(rest, style: .keepingQuotes(escape: escape))
        var words: [String] = []
        while scanner.skipSpaces() {
            if let word = scanner.nextWord() { words.append(word) }
        }
        return words
    }
}
