/// BuildKit's splitting of an instruction's text into words: white space outside quotes ends a
/// word, quotes group, an escape character takes the next one literally. Its two users differ in
/// what stays in the words: flags (`--from=x`) lose quotes and escapes at once; arguments keep
/// them for variable expansion to remove later.
struct QuotedWordScanner {
    enum Style {
        /// Quotes and escapes removed; `\` escapes the next character inside quotes too.
        case unquoted
        /// Quotes and escapes kept; `escape` escapes the next character outside single quotes.
        case keepingQuotes(escape: Unicode.Scalar)
    }

    private let scalars: [Unicode.Scalar]
    private let style: Style
    private var position = 0

    init(_ text: String, style: Style) {
        scalars = Array(text.unicodeScalars)
        self.style = style
    }

    /// The text from the current position on, as it was written.
    var remainder: String { String(String.UnicodeScalarView(scalars[position...])) }

    /// Skips white space; false at the end of the text.
    mutating func skipSpaces() -> Bool {
        while position < scalars.count && GoText.isSpace(scalars[position]) { position += 1 }
        return position < scalars.count
    }

    /// Whether the text at the current position starts with `prefix`.
    func isAtPrefix(_ prefix: String) -> Bool {
        let wanted = Array(prefix.unicodeScalars)
        return scalars.count - position >= wanted.count && Array(scalars[position..<(position + wanted.count)]) == wanted
    }

    /// The word at the current position (after `skipSpaces`), which ends before the next white
    /// space outside quotes or at the end; nil when nothing was in it (no character, no quotes).
    mutating func nextWord() -> String? {
        var word = String.UnicodeScalarView()
        var quoted = false
        var quote: Unicode.Scalar?
        while position < scalars.count {
            let scalar = scalars[position]
            if let open = quote {
                if scalar == open {
                    quote = nil
                    if keepsQuotes { word.append(scalar) }
                    position += 1
                } else if isEscape(scalar) && escapes(inside: open) {
                    appendEscaped(to: &word)
                } else {
                    word.append(scalar)
                    position += 1
                }
                continue
            }
            if GoText.isSpace(scalar) { break }
            if scalar == "'" || scalar == "\"" {
                quote = scalar
                quoted = true
                if keepsQuotes { word.append(scalar) }
                position += 1
            } else if isEscape(scalar) {
                appendEscaped(to: &word)
            } else {
                word.append(scalar)
                position += 1
            }
        }
        return quoted || !word.isEmpty ? String(word) : nil
    }

    /// The escape at the current position and the character after it (a trailing escape is
    /// dropped).
    private mutating func appendEscaped(to word: inout String.UnicodeScalarView) {
        position += 1
        guard position < scalars.count else { return }
        if keepsQuotes { word.append(scalars[position - 1]) }
        word.append(scalars[position])
        position += 1
    }

    private var keepsQuotes: Bool {
        if case .keepingQuotes = style { return true }
        return false
    }

    private func isEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch style {
        case .unquoted: return scalar == "\\"
        case .keepingQuotes(let escape): return scalar == escape
        }
    }

    private func escapes(inside quote: Unicode.Scalar) -> Bool {
        switch style {
        case .unquoted: return true
        case .keepingQuotes: return quote != "'"
        }
    }
}
