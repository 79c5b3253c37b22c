/// Reads the YAML that configuration files use (container-structure-test specs, and JSON, which
/// is YAML): block mappings and sequences, flow `[...]` and `{...}`, plain, quoted and block
/// (`|`, `>`) scalars, comments. Anchors, aliases, tags and complex keys are refused with a clear
/// error rather than read wrong. No Foundation (the CLI does not link it).
public enum YAMLReader {
    /// One document; a leading `---` and a trailing `...` are allowed.
    public static func parse(_ text: String) throws -> YAMLNode {
        var parser = YAMLParser(text)
        return try parser.document()
    }
}

/// Block structure is read line by line (indentation decides); flow collections and quoted
/// scalars, which may span lines, are read character by character.
private struct YAMLParser {
    let chars: [Unicode.Scalar]
    /// Offsets of each line's first character and of its end (the newline or the text's end).
    var starts: [Int] = []
    var ends: [Int] = []
    /// The line being read, and where on it reading starts when not at its indentation (the
    /// rest of a `- ` line).
    var line = 0
    var column: Int?

    init(_ text: String) {
        chars = Array(text.unicodeScalars)
        var start = 0
        for (offset, char) in chars.enumerated() where char == "\n" {
            starts.append(start)
            ends.append(offset > start && chars[offset - 1] == "\r" ? offset - 1 : offset)
            start = offset + 1
        }
        if start < chars.count {
            starts.append(start)
            ends.append(chars.count)
        }
    }

    func fail(_ message: String, line: Int? = nil) -> YAMLError {
        YAMLError(line: (line ?? self.line) + 1, message: message)
    }

    // MARK: Lines

    /// Where the content of line `index` starts (its indentation, or the column override).
    func indent(_ index: Int) -> Int {
        if index == line, let column { return column }
        var at = starts[index]
        while at < ends[index] && chars[at] == " " { at += 1 }
        return at - starts[index]
    }

    func character(_ index: Int, _ column: Int) -> Unicode.Scalar? {
        let at = starts[index] + column
        return at < ends[index] ? chars[at] : nil
    }

    /// Nothing but spaces and a comment from `column` on.
    func isBlank(_ index: Int, from column: Int) -> Bool {
        var at = starts[index] + column
        while at < ends[index] && (chars[at] == " " || chars[at] == "\t") { at += 1 }
        return at == ends[index] || chars[at] == "#"
    }

    /// The next line with content, from the current one; tabs used as indentation are an error.
    mutating func nextContentLine() throws -> Int? {
        while line < starts.count {
            let start = column ?? 0
            if !isBlank(line, from: start) {
                if column == nil, let tab = (starts[line]..<ends[line]).first(where: { chars[$0] != " " }), chars[tab] == "\t" {
                    throw fail("tabs are not allowed for indentation")
                }
                return line
            }
            line += 1
            column = nil
        }
        return nil
    }

    mutating func advanceLine() {
        line += 1
        column = nil
    }

    func text(_ index: Int, from column: Int) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: chars[(starts[index] + column)..<ends[index]])
        return String(scalars)
    }

    /// `---` or `...` at the start of a line: the end of the document's block nodes.
    func isDocumentMarker(_ index: Int) -> Bool {
        guard column == nil || index != line else { return false }
        let content = text(index, from: 0)
        return ["---", "..."].contains { content == $0 || content.hasPrefix($0 + " ") }
    }

    func isSequenceEntry(_ index: Int, at column: Int) -> Bool {
        guard character(index, column) == "-" else { return false }
        let next = character(index, column + 1)
        return next == nil || next == " "
    }

    // MARK: Document

    mutating func document() throws -> YAMLNode {
        var started = false
        while let index = try nextContentLine() {
            let content = text(index, from: 0)
            if content.hasPrefix("%") { advanceLine(); continue }
            if content == "---" || content.hasPrefix("--- ") {
                if started { throw fail("a second document is not supported") }
                started = true
                if isBlank(index, from: 3) { advanceLine() } else { column = 4; break }
                continue
            }
            break
        }
        let root = try block(minimumIndent: 0) ?? YAMLNode(.null, line: max(0, min(line, starts.count - 1)) + 1)
        while let index = try nextContentLine() {
            let content = text(index, from: 0)
            if content == "..." || content.hasPrefix("... ") { advanceLine(); continue }
            if content == "---" || content.hasPrefix("--- ") { throw fail("a second document is not supported") }
            throw fail("unexpected content (bad indentation?)")
        }
        return root
    }

    // MARK: Block nodes

    /// The node that starts on the next content line, if it is indented at least `minimumIndent`.
    mutating func block(minimumIndent: Int) throws -> YAMLNode? {
        guard let index = try nextContentLine(), !isDocumentMarker(index) else { return nil }
        let at = indent(index)
        guard at >= minimumIndent else { return nil }
        if isSequenceEntry(index, at: at) { return try sequence(indent: at) }
        if try keyEnd(index, at: at) != nil { return try mapping(indent: at) }
        return try inline(index, at: at, parentIndent: minimumIndent - 1)
    }

    mutating func sequence(indent: Int) throws -> YAMLNode {
        let first = line
        var items: [YAMLNode] = []
        while let index = try nextContentLine(), self.indent(index) == indent, isSequenceEntry(index, at: indent),
              !isDocumentMarker(index) {
            var rest = indent + 1
            while character(index, rest) == " " { rest += 1 }
            if isBlank(index, from: rest) {
                advanceLine()
                items.append(try block(minimumIndent: indent + 1) ?? YAMLNode(.null, line: index + 1))
            } else {
                column = rest
                items.append(try block(minimumIndent: rest) ?? YAMLNode(.null, line: index + 1))
            }
            if let next = try nextContentLine(), self.indent(next) > indent {
                throw fail("bad indentation of a sequence entry")
            }
        }
        return YAMLNode(.sequence(items), line: first + 1)
    }

    mutating func mapping(indent: Int) throws -> YAMLNode {
        let first = line
        var pairs: [(key: String, value: YAMLNode)] = []
        while let index = try nextContentLine(), self.indent(index) == indent, !isSequenceEntry(index, at: indent),
              !isDocumentMarker(index) {
            guard let (key, after) = try keyEnd(index, at: indent) else { throw fail("expected a mapping key") }
            if pairs.contains(where: { $0.key == key }) { throw fail("duplicate key \"\(key)\"") }
            var rest = after
            while character(index, rest) == " " { rest += 1 }
            let value: YAMLNode
            if isBlank(index, from: rest) {
                advanceLine()
                if let nested = try block(minimumIndent: indent + 1) {
                    value = nested
                } else if let next = try nextContentLine(), self.indent(next) == indent, isSequenceEntry(next, at: indent) {
                    value = try sequence(indent: indent)  // `key:` then `- item` at the key's indentation
                } else {
                    value = YAMLNode(.null, line: index + 1)
                }
            } else {
                value = try inline(index, at: rest, parentIndent: indent)
            }
            pairs.append((key, value))
            if let next = try nextContentLine(), self.indent(next) > indent {
                throw fail("bad indentation of a mapping entry")
            }
        }
        return YAMLNode(.mapping(pairs), line: first + 1)
    }

    /// The key of a `key: value` line starting at `column`, and the column after its colon; nil
    /// when the line is not a mapping entry.
    func keyEnd(_ index: Int, at column: Int) throws -> (String, Int)? {
        guard let first = character(index, column) else { return nil }
        if first == "?" && (character(index, column + 1) ?? " ") == " " {
            throw fail("complex keys (? ) are not supported", line: index)
        }
        if first == "\"" || first == "'" {
            var at = starts[index] + column
            let key = try quoted(&at)
            guard at <= ends[index] else { return nil }
            var after = at - starts[index]
            while character(index, after) == " " { after += 1 }
            guard character(index, after) == ":", (character(index, after + 1) ?? " ") == " " else { return nil }
            return (key, after + 1)
        }
        if "[{&*!|>%@`".unicodeScalars.contains(first) { return nil }
        var at = column
        while let char = character(index, at) {
            if char == "#", at > column, character(index, at - 1) == " " { return nil }
            if char == ":", (character(index, at + 1) ?? " ") == " " {
                let key = text(index, from: column).unicodeScalars.prefix(at - column)
                var trimmed = String(String.UnicodeScalarView(key))
                while trimmed.hasSuffix(" ") { trimmed.removeLast() }
                return (trimmed, at + 1)
            }
            at += 1
        }
        return nil
    }

    /// A value that starts on this line at `column`: a flow collection, a quoted or block
    /// scalar, or a plain scalar continued on lines indented more than `parentIndent`.
    mutating func inline(_ index: Int, at column: Int, parentIndent: Int) throws -> YAMLNode {
        guard let first = character(index, column) else { return YAMLNode(.null, line: index + 1) }
        switch first {
        case "&", "*", "!":
            throw fail("anchors/aliases/tags are not supported", line: index)
        case "|", ">":
            return try blockScalar(index, at: column, parentIndent: parentIndent)
        case "[", "{", "\"", "'":
            var at = starts[index] + column
            let node: YAMLNode
            if first == "[" || first == "{" {
                node = try flow(&at)
            } else {
                node = YAMLNode(.scalar(try quoted(&at), quoted: true), line: index + 1)
            }
            let end = lineIndex(of: at)
            guard isBlank(end, from: at - starts[end]) else { throw fail("unexpected text after a value", line: end) }
            line = end
            advanceLine()
            return node
        case "@", "`", "%":
            throw fail("a plain value cannot start with \"\(first)\"", line: index)
        default:
            break
        }
        var value = plainLine(index, from: column)
        advanceLine()
        // Continuation lines fold into one line; empty lines between them become newlines.
        var breaks = 0
        while line < starts.count {
            if isBlank(line, from: 0) {
                if text(line, from: 0).trimmingLeadingSpaces.hasPrefix("#") { break }
                breaks += 1
                advanceLine()
                continue
            }
            guard indent(line) > parentIndent, !isSequenceEntry(line, at: indent(line)) else { break }
            let more = plainLine(line, from: indent(line))
            if more.contains(": ") || more.hasSuffix(":") { throw fail("mapping values are not allowed here") }
            value += breaks == 0 ? " " + more : String(repeating: "\n", count: breaks) + more
            breaks = 0
            advanceLine()
        }
        if value.contains(": ") { throw fail("mapping values are not allowed here", line: index) }
        switch value {
        case "", "~", "null", "Null", "NULL": return YAMLNode(.null, line: index + 1)
        default: return YAMLNode(.scalar(value, quoted: false), line: index + 1)
        }
    }

    /// A plain scalar's text on one line: up to a comment, trailing spaces dropped.
    func plainLine(_ index: Int, from column: Int) -> String {
        var end = column
        while let char = character(index, end) {
            if char == "#", end > column, character(index, end - 1) == " " || character(index, end - 1) == "\t" { break }
            end += 1
        }
        var value = String(String.UnicodeScalarView(chars[(starts[index] + column)..<(starts[index] + end)]))
        while value.hasSuffix(" ") || value.hasSuffix("\t") { value.removeLast() }
        return value
    }

    /// `|` or `>`, with chomping (`-`, `+`) and indentation (1-9) indicators in either order.
    mutating func blockScalar(_ index: Int, at column: Int, parentIndent: Int) throws -> YAMLNode {
        let literal = character(index, column) == "|"
        var chomping: Unicode.Scalar = " "
        var explicit: Int?
        var at = column + 1
        while let char = character(index, at), char != " " {
            if char == "-" || char == "+", chomping == " " {
                chomping = char
            } else if let digit = Int(String(char)), digit > 0, explicit == nil {
                explicit = digit
            } else {
                throw fail("bad block scalar header", line: index)
            }
            at += 1
        }
        guard isBlank(index, from: at) else { throw fail("bad block scalar header", line: index) }
        advanceLine()
        let base = max(parentIndent, 0)
        var contentIndent = explicit.map { base + $0 }
        var lines: [String] = []
        while line < starts.count {
            let spaces = indent(line)
            let empty = starts[line] + spaces == ends[line]
            if empty {
                lines.append("")
                advanceLine()
                continue
            }
            if contentIndent == nil {
                guard spaces > parentIndent else { break }
                contentIndent = spaces
            }
            guard let contentIndent, spaces >= contentIndent else { break }
            lines.append(text(line, from: contentIndent))
            advanceLine()
        }
        var trailing = 0
        while let last = lines.last, last.isEmpty {
            trailing += 1
            lines.removeLast()
        }
        var value = ""
        if literal {
            value = lines.joined(separator: "\n")
        } else {
            var breaks = 0
            var previousNormal = false
            var started = false
            for text in lines {
                if text.isEmpty {
                    breaks += 1
                    continue
                }
                let normal = !(text.hasPrefix(" ") || text.hasPrefix("\t"))
                if started {
                    if breaks == 0 && previousNormal && normal {
                        value += " "
                    } else {
                        value += String(repeating: "\n", count: previousNormal && normal ? breaks : breaks + 1)
                    }
                } else {
                    value += String(repeating: "\n", count: breaks)
                }
                value += text
                breaks = 0
                previousNormal = normal
                started = true
            }
        }
        switch chomping {
        case "-": break
        case "+": value += lines.isEmpty ? String(repeating: "\n", count: trailing) : "\n" + String(repeating: "\n", count: trailing)
        default: if !lines.isEmpty { value += "\n" }
        }
        return YAMLNode(.scalar(value, quoted: true), line: index + 1)
    }

    // MARK: Flow nodes and quoted scalars (character by character)

    func lineIndex(of offset: Int) -> Int {
        var low = 0, high = starts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }

    func skipFlowSpace(_ at: inout Int) {
        while at < chars.count {
            let char = chars[at]
            if char == " " || char == "\t" || char == "\n" || char == "\r" {
                at += 1
            } else if char == "#", at == 0 || [" ", "\t", "\n"].contains(chars[at - 1]) {
                while at < chars.count && chars[at] != "\n" { at += 1 }
            } else {
                return
            }
        }
    }

    func flow(_ at: inout Int) throws -> YAMLNode {
        let opening = chars[at]
        let startLine = lineIndex(of: at)
        let closing: Unicode.Scalar = opening == "[" ? "]" : "}"
        let what = opening == "[" ? "flow sequence" : "flow mapping"
        at += 1
        var items: [YAMLNode] = []
        var pairs: [(key: String, value: YAMLNode)] = []
        while true {
            skipFlowSpace(&at)
            guard at < chars.count else { throw fail("unterminated \(what)", line: lineIndex(of: max(at - 1, 0)) + 1) }
            if chars[at] == closing { at += 1; break }
            if opening == "[" {
                items.append(try flowNode(&at))
            } else {
                let keyLine = lineIndex(of: at)
                let keyNode = try flowNode(&at, isKey: true)
                guard let key = keyNode.string else { throw fail("a flow mapping key must be a scalar", line: keyLine) }
                if pairs.contains(where: { $0.key == key }) { throw fail("duplicate key \"\(key)\"", line: keyLine) }
                skipFlowSpace(&at)
                var value = YAMLNode(.null, line: keyLine + 1)
                if at < chars.count && chars[at] == ":" {
                    at += 1
                    skipFlowSpace(&at)
                    if at < chars.count && chars[at] != "," && chars[at] != "}" { value = try flowNode(&at) }
                }
                pairs.append((key, value))
            }
            skipFlowSpace(&at)
            guard at < chars.count else { throw fail("unterminated \(what)", line: lineIndex(of: max(at - 1, 0)) + 1) }
            if chars[at] == "," { at += 1; continue }
            if chars[at] == closing { at += 1; break }
            throw fail("expected ',' or '\(closing)' in a \(what)", line: lineIndex(of: at))
        }
        return YAMLNode(opening == "[" ? .sequence(items) : .mapping(pairs), line: startLine + 1)
    }

    func flowNode(_ at: inout Int, isKey: Bool = false) throws -> YAMLNode {
        let startLine = lineIndex(of: at)
        switch chars[at] {
        case "[", "{": return try flow(&at)
        case "\"", "'": return YAMLNode(.scalar(try quoted(&at), quoted: true), line: startLine + 1)
        case "&", "*", "!": throw fail("anchors/aliases/tags are not supported", line: startLine)
        default: break
        }
        var scalars = String.UnicodeScalarView()
        while at < chars.count {
            let char = chars[at]
            if char == "," || char == "]" || char == "}" || char == "[" || char == "{" { break }
            if char == ":" {
                let next = at + 1 < chars.count ? chars[at + 1] : " "
                if isKey || next == " " || next == "\n" || next == "," || next == "]" || next == "}" { break }
            }
            if char == "#", let last = scalars.last, last == " " || last == "\t" { break }
            if char == "\n" || char == "\r" {
                // A plain scalar over lines folds into one.
                while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
                scalars.append(" ")
                at += 1
                while at < chars.count && (chars[at] == " " || chars[at] == "\t") { at += 1 }
                continue
            }
            scalars.append(char)
            at += 1
        }
        var value = String(scalars)
        while value.hasSuffix(" ") || value.hasSuffix("\t") { value.removeLast() }
        if value.isEmpty { throw fail("expected a value", line: startLine) }
        switch value {
        case "~", "null", "Null", "NULL": return YAMLNode(.null, line: startLine + 1)
        default: return YAMLNode(.scalar(value, quoted: false), line: startLine + 1)
        }
    }

    /// A single- or double-quoted scalar from `at` (its opening quote); `at` ends past the closing one.
    func quoted(_ at: inout Int) throws -> String {
        let quote = chars[at]
        let startLine = lineIndex(of: at)
        at += 1
        var scalars = String.UnicodeScalarView()
        while true {
            guard at < chars.count else { throw fail("unterminated quoted string", line: startLine) }
            let char = chars[at]
            if char == quote {
                if quote == "'" && at + 1 < chars.count && chars[at + 1] == "'" {
                    scalars.append("'")
                    at += 2
                    continue
                }
                at += 1
                return String(scalars)
            }
            if char == "\n" || char == "\r" {
                // Folding: a line break is a space, each empty line after it a newline.
                while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
                var breaks = 0
                while at < chars.count && (chars[at] == "\n" || chars[at] == "\r" || chars[at] == " " || chars[at] == "\t") {
                    if chars[at] == "\n" { breaks += 1 }
                    at += 1
                }
                if breaks > 1 {
                    scalars.append(contentsOf: String(repeating: "\n", count: breaks - 1).unicodeScalars)
                } else {
                    scalars.append(" ")
                }
                continue
            }
            if quote == "\"" && char == "\\" {
                at += 1
                guard at < chars.count else { throw fail("unterminated quoted string", line: startLine) }
                let escape = chars[at]
                at += 1
                switch escape {
                case "n": scalars.append("\n")
                case "t", "\t": scalars.append("\t")
                case "r": scalars.append("\r")
                case "\"": scalars.append("\"")
                case "\\": scalars.append("\\")
                case "/": scalars.append("/")
                case " ": scalars.append(" ")
                case "0": scalars.append("\u{0}")
                case "a": scalars.append("\u{7}")
                case "b": scalars.append("\u{8}")
                case "e": scalars.append("\u{1B}")
                case "f": scalars.append("\u{C}")
                case "v": scalars.append("\u{B}")
                case "N": scalars.append("\u{85}")
                case "_": scalars.append("\u{A0}")
                case "L": scalars.append("\u{2028}")
                case "P": scalars.append("\u{2029}")
                case "x", "u", "U":
                    let count = escape == "x" ? 2 : escape == "u" ? 4 : 8
                    guard at + count <= chars.count,
                          let value = UInt32(String(String.UnicodeScalarView(chars[at..<(at + count)])), radix: 16),
                          let scalar = Unicode.Scalar(value) else {
                        throw fail("bad escape \\\(escape) in a quoted string", line: lineIndex(of: at))
                    }
                    scalars.append(scalar)
                    at += count
                case "\n", "\r":
                    // An escaped line break: the lines join without a space.
                    while at < chars.count && (chars[at] == " " || chars[at] == "\t" || chars[at] == "\n") { at += 1 }
                default:
                    throw fail("bad escape \\\(escape) in a quoted string", line: lineIndex(of: at - 1))
                }
                continue
            }
            scalars.append(char)
            at += 1
        }
    }
}

private extension String {
    var trimmingLeadingSpaces: Substring { drop { $0 == " " || $0 == "\t" } }
}
