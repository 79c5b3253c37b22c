import CellCore

/// A here-document attached to RUN, COPY or ADD (`RUN <<EOF` ... `EOF`).
public struct Heredoc: Sendable, Equatable {
    /// The delimiter word, unquoted (`EOF` for `<<"EOF"`).
    public var name: String
    /// The file descriptor written before `<<` (`3<<EOF`), 0 when absent.
    public var fileDescriptor: Int
    /// Whether variables are expanded in the content: false when any part of the delimiter was quoted.
    public var expands: Bool
    /// `<<-`: leading tabs are stripped from the content lines and the terminator.
    public var stripsTabs: Bool
    /// The lines between the instruction and the terminator, each with its line ending.
    public var content: String

    public init(name: String, fileDescriptor: Int = 0, expands: Bool = true, stripsTabs: Bool = false, content: String = "") {
        self.name = name
        self.fileDescriptor = fileDescriptor
        self.expands = expands
        self.stripsTabs = stripsTabs
        self.content = content
    }

    /// The content as the command or file will see it: leading tabs removed for `<<-`.
    public var effectiveContent: String {
        guard stripsTabs else { return content }
        var out = ""
        var atLineStart = true
        for scalar in content.unicodeScalars {
            if atLineStart && scalar == "\t" { continue }
            atLineStart = scalar == "\n"
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    /// Reads one word as a heredoc opener (`<<EOF`, `<<-EOF`, `3<<'EOF'`), as BuildKit's `ParseHeredoc`.
    /// Returns nil when the word is not one.
    public static func opener(_ word: String) throws(CellError) -> Heredoc? {
        let scalars = Array(word.unicodeScalars)
        var index = 0
        while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
        let descriptor = Int(String(scalars: scalars[0..<index])) ?? 0
        guard index + 1 < scalars.count, scalars[index] == "<", scalars[index + 1] == "<" else { return nil }
        index += 2
        var stripsTabs = false
        if index < scalars.count, scalars[index] == "-" {
            stripsTabs = true
            index += 1
        }
        let rest = scalars[index...]
        guard !rest.isEmpty, !rest.contains("<") else { return nil }
        let restText = String(scalars: rest)

        // Lex the delimiter with and without quotes: if the counts of quote characters differ,
        // part of it was quoted, which turns expansion off (as in a POSIX shell).
        var lexer = ShellLexer(escapeCharacter: "\\")
        lexer.leavesUnsetVariables = true
        let words = try lexer.processWords(restText, environment: [:])
        guard words.count == 1 else { return nil }
        lexer.keepsQuotes = true
        let rawWords = try lexer.processWords(restText, environment: [:])
        guard rawWords.count == 1 else {
            throw CellError.invalidInput("internal lexing of heredoc produced inconsistent results: \(restText)")
        }
        func quoteCount(_ text: String) -> Int { text.unicodeScalars.filter { $0 == "'" || $0 == "\"" }.count }
        return Heredoc(
            name: words[0], fileDescriptor: descriptor,
            expands: quoteCount(words[0]) == quoteCount(rawWords[0]), stripsTabs: stripsTabs)
    }

    /// Every heredoc opener on an instruction line, in order.
    static func openers(inLine line: String) throws(CellError) -> [Heredoc] {
        var lexer = ShellLexer(escapeCharacter: "\\")
        lexer.keepsQuotes = true
        lexer.keepsEscapes = true
        lexer.leavesUnsetVariables = true
        guard let words = try? lexer.processWords(line, environment: [:]) else { return [] }
        var heredocs: [Heredoc] = []
        for word in words {
            if let heredoc = try opener(word) { heredocs.append(heredoc) }
        }
        return heredocs
    }
}
