/// Tokens of Go's text/template action language (the subset cell supports).
struct TemplateToken: Equatable {
    enum Kind: Equatable {
        case text
        case leftDelim, rightDelim
        case space
        case field        // `.Name` (text without the dot)
        case variable     // `$` or `$name`
        case dot
        case identifier   // a function name
        case keyword      // if else end range with break continue define template block
        case bool, nilLiteral, number, string, character
        case pipe, leftParen, rightParen, declare, assign, comma
        case eof
    }
    var kind: Kind
    /// The token's source text (for strings: the unquoted value; for fields: the name).
    var text: String
    /// Byte offset in the template, for error positions.
    var position: Int
}

/// Splits a template into tokens; `{{- ` and ` -}}` trim the neighbouring text's white space.
struct TemplateLexer {
    let source: [UInt8]
    var index = 0
    var tokens: [TemplateToken] = []

    static let keywords: Set<String> = ["if", "else", "end", "range", "with", "break", "continue", "define", "template", "block"]

    init(_ text: String) { source = Array(text.utf8) }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d }
    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte == 0x5f || byte >= 0x80
    }

    func at(_ text: String, _ offset: Int = 0) -> Bool {
        let bytes = Array(text.utf8)
        guard index + offset + bytes.count <= source.count else { return false }
        return source[(index + offset)..<(index + offset + bytes.count)].elementsEqual(bytes)
    }

    func failure(_ message: String, at position: Int? = nil) -> TemplateError {
        TemplateError(message: message, position: position ?? index, isParse: true)
    }

    mutating func emit(_ kind: TemplateToken.Kind, _ text: String, _ position: Int) {
        tokens.append(TemplateToken(kind: kind, text: text, position: position))
    }

    /// Inside an action: a space then `-}}` closes it and trims what follows.
    func atTrimmedRightDelim() -> Bool {
        index + 1 < source.count && TemplateLexer.isSpace(source[index]) && source[index + 1] == UInt8(ascii: "-") && at("}}", 2)
    }

    mutating func tokenize() throws -> [TemplateToken] {
        var trimNextText = false
        while index < source.count {
            // Text up to the next `{{`.
            let start = index
            while index < source.count && !at("{{") { index += 1 }
            var text = Array(source[start..<index])
            let trimLeft = at("{{-") && index + 3 < source.count && TemplateLexer.isSpace(source[index + 3])
            if trimNextText { while let first = text.first, TemplateLexer.isSpace(first) { text.removeFirst() } }
            if trimLeft { while let last = text.last, TemplateLexer.isSpace(last) { text.removeLast() } }
            if !text.isEmpty { emit(.text, String(decoding: text, as: UTF8.self), start) }
            trimNextText = false
            guard index < source.count else { break }
            let actionStart = index
            index += trimLeft ? 4 : 2
            // Comments: `{{/* ... */}}`, which may carry trim markers too.
            var probe = index
            while probe < source.count && TemplateLexer.isSpace(source[probe]) && trimLeft { probe += 1 }
            if probe + 1 < source.count && source[probe] == UInt8(ascii: "/") && source[probe + 1] == UInt8(ascii: "*") {
                index = probe + 2
                while index < source.count && !at("*/") { index += 1 }
                guard index < source.count else { throw failure("unclosed comment", at: actionStart) }
                index += 2
                if atTrimmedRightDelim() { index += 4; trimNextText = true; continue }
                guard at("}}") else { throw failure("comment ends before closing delimiter", at: actionStart) }
                index += 2
                continue
            }
            emit(.leftDelim, "{{", actionStart)
            trimNextText = try lexInsideAction(actionStart)
        }
        emit(.eof, "", source.count)
        return tokens
    }

    /// Lexes one action up to and including `}}`; returns whether it ended with ` -}}`.
    mutating func lexInsideAction(_ actionStart: Int) throws -> Bool {
        var parenDepth = 0
        while true {
            guard index < source.count else { throw failure("unclosed action", at: actionStart) }
            if atTrimmedRightDelim() {
                emit(.rightDelim, "}}", index)
                index += 4
                return true
            }
            if at("}}") {
                guard parenDepth == 0 else { throw failure("unclosed left paren", at: index) }
                emit(.rightDelim, "}}", index)
                index += 2
                return false
            }
            let start = index
            let byte = source[index]
            switch byte {
            case _ where TemplateLexer.isSpace(byte):
                while index < source.count && TemplateLexer.isSpace(source[index]) && !atTrimmedRightDelim() { index += 1 }
                emit(.space, " ", start)
            case UInt8(ascii: "|"): index += 1; emit(.pipe, "|", start)
            case UInt8(ascii: "("): index += 1; parenDepth += 1; emit(.leftParen, "(", start)
            case UInt8(ascii: ")"):
                index += 1
                parenDepth -= 1
                guard parenDepth >= 0 else { throw failure("unexpected right paren", at: start) }
                emit(.rightParen, ")", start)
            case UInt8(ascii: ","): index += 1; emit(.comma, ",", start)
            case UInt8(ascii: "="): index += 1; emit(.assign, "=", start)
            case UInt8(ascii: ":"):
                guard at(":=") else { throw failure("expected :=", at: start) }
                index += 2
                emit(.declare, ":=", start)
            case UInt8(ascii: "\""): emit(.string, try lexQuoted(), start)
            case UInt8(ascii: "`"):
                index += 1
                while index < source.count && source[index] != UInt8(ascii: "`") { index += 1 }
                guard index < source.count else { throw failure("unterminated raw quoted string", at: start) }
                index += 1
                emit(.string, String(decoding: source[(start + 1)..<(index - 1)], as: UTF8.self), start)
            case UInt8(ascii: "'"):
                index += 1
                while index < source.count && source[index] != UInt8(ascii: "'") {
                    if source[index] == UInt8(ascii: "\\") { index += 1 }
                    index += 1
                }
                guard index < source.count else { throw failure("unterminated character constant", at: start) }
                index += 1
                emit(.character, String(decoding: source[start..<index], as: UTF8.self), start)
            case UInt8(ascii: "$"):
                index += 1
                while index < source.count && TemplateLexer.isAlphanumeric(source[index]) { index += 1 }
                emit(.variable, String(decoding: source[start..<index], as: UTF8.self), start)
                try checkTerminator()
            case UInt8(ascii: "."):
                if index + 1 < source.count && TemplateLexer.isAlphanumeric(source[index + 1]) && !isDigit(source[index + 1]) {
                    index += 1
                    while index < source.count && TemplateLexer.isAlphanumeric(source[index]) { index += 1 }
                    emit(.field, String(decoding: source[(start + 1)..<index], as: UTF8.self), start)
                    try checkTerminator()
                } else if index + 1 < source.count && isDigit(source[index + 1]) {
                    lexNumber()
                } else {
                    index += 1
                    emit(.dot, ".", start)
                }
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") {
                    guard index + 1 < source.count && (isDigit(source[index + 1]) || source[index + 1] == UInt8(ascii: ".")) else {
                        throw failure("bad number syntax: \"\(Character(Unicode.Scalar(byte)))\"", at: start)
                    }
                }
                lexNumber()
            default:
                guard TemplateLexer.isAlphanumeric(byte) else {
                    let scalar = String(decoding: source[start..<min(start + 1, source.count)], as: UTF8.self)
                    if byte == UInt8(ascii: "}") { throw failure("unexpected \"}\" in operand", at: start) }
                    throw failure("unrecognized character in action: \(scalar)", at: start)
                }
                while index < source.count && TemplateLexer.isAlphanumeric(source[index]) { index += 1 }
                let word = String(decoding: source[start..<index], as: UTF8.self)
                if TemplateLexer.keywords.contains(word) {
                    emit(.keyword, word, start)
                } else if word == "true" || word == "false" {
                    emit(.bool, word, start)
                } else if word == "nil" {
                    emit(.nilLiteral, word, start)
                } else {
                    emit(.identifier, word, start)
                }
                try checkTerminator()
            }
        }
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// After a name: a space, `.`, `,`, `|`, `:`, `=`, parens or the closing delimiter (Go's atTerminator).
    func checkTerminator() throws {
        guard index < source.count else { return }
        let byte = source[index]
        if TemplateLexer.isSpace(byte) || [UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "|"), UInt8(ascii: ":"),
                                            UInt8(ascii: ")"), UInt8(ascii: "("), UInt8(ascii: "="), UInt8(ascii: "}")].contains(byte) {
            return
        }
        throw failure("bad character \(String(decoding: [byte], as: UTF8.self).debugDescription)", at: index)
    }

    mutating func lexNumber() {
        let start = index
        if source[index] == UInt8(ascii: "+") || source[index] == UInt8(ascii: "-") { index += 1 }
        while index < source.count {
            let byte = source[index]
            if TemplateLexer.isAlphanumeric(byte) || byte == UInt8(ascii: ".") {
                index += 1
            } else if (byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")),
                      let previous = source[..<index].last, previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E") || previous == UInt8(ascii: "p") || previous == UInt8(ascii: "P") {
                index += 1
            } else {
                break
            }
        }
        emit(.number, String(decoding: source[start..<index], as: UTF8.self), start)
    }

    /// A Go interpreted string literal; returns its value.
    mutating func lexQuoted() throws -> String {
        let start = index
        index += 1
        var bytes: [UInt8] = []
        while true {
            guard index < source.count, source[index] != 0x0a else { throw failure("unterminated quoted string", at: start) }
            let byte = source[index]
            index += 1
            if byte == UInt8(ascii: "\"") { break }
            guard byte == UInt8(ascii: "\\") else { bytes.append(byte); continue }
            guard index < source.count else { throw failure("unterminated quoted string", at: start) }
            let escape = source[index]
            index += 1
            switch escape {
            case UInt8(ascii: "n"): bytes.append(0x0a)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "r"): bytes.append(0x0d)
            case UInt8(ascii: "a"): bytes.append(0x07)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0c)
            case UInt8(ascii: "v"): bytes.append(0x0b)
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): bytes.append(escape)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = escape == UInt8(ascii: "x") ? 2 : escape == UInt8(ascii: "u") ? 4 : 8
                guard index + count <= source.count,
                      let value = UInt32(String(decoding: source[index..<(index + count)], as: UTF8.self), radix: 16) else {
                    throw failure("invalid syntax", at: start)
                }
                index += count
                if escape == UInt8(ascii: "x") {
                    bytes.append(UInt8(value))
                } else {
                    guard let scalar = Unicode.Scalar(value) else { throw failure("invalid syntax", at: start) }
                    bytes.append(contentsOf: Array(String(scalar).utf8))
                }
            default: throw failure("invalid syntax", at: start)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
