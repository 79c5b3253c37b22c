extension JSONValue {
    /// One line, no spaces, like Go's json.Marshal (HTML-safe escaping): `docker ps --format json`.
    public var compactString: String { serialized(indent: nil) }

    /// Go's json.MarshalIndent(v, "", "    "), as `docker inspect` prints (no trailing newline).
    public var indentedString: String { serialized(indent: "    ") }

    /// Serializes compactly (`indent` nil) or one member per line with `indent` per level.
    /// `escapingHTML` false matches docker's `{{json .}}` template function (json.Encoder.SetEscapeHTML(false)).
    public func serialized(indent: String?, escapingHTML: Bool = true) -> String {
        var out = ""
        write(to: &out, indent: indent, level: 0, escapingHTML: escapingHTML)
        return out
    }

    private func write(to out: inout String, indent: String?, level: Int, escapingHTML: Bool) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .integer(let value): out += String(value)
        case .double(let value): out += GoFloat.formatJSON(value)
        case .string(let value): JSONValue.writeQuoted(value, to: &out, escapingHTML: escapingHTML)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                newline(&out, indent: indent, level: level + 1)
                item.write(to: &out, indent: indent, level: level + 1, escapingHTML: escapingHTML)
            }
            newline(&out, indent: indent, level: level)
            out += "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{"
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out += "," }
                newline(&out, indent: indent, level: level + 1)
                JSONValue.writeQuoted(pair.0, to: &out, escapingHTML: escapingHTML)
                out += indent == nil ? ":" : ": "
                pair.1.write(to: &out, indent: indent, level: level + 1, escapingHTML: escapingHTML)
            }
            newline(&out, indent: indent, level: level)
            out += "}"
        }
    }

    private func newline(_ out: inout String, indent: String?, level: Int) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }

    /// encoding/json's string escaping (Go 1.22+: \b and \f by name; U+2028/2029 always escaped).
    static func writeQuoted(_ text: String, to out: inout String, escapingHTML: Bool) {
        out += "\""
        // Most strings (ids, names, paths, times) need no escape: appended whole, not scalar by
        // scalar, which is most of a large list's serializing time (the Engine API's ps).
        if !needsEscaping(text, escapingHTML: escapingHTML) {
            out += text
        } else {
            writeEscaped(text, to: &out, escapingHTML: escapingHTML)
        }
        out += "\""
    }

    /// Whether any byte of `text` has to be escaped: a control character, a quote or backslash,
    /// HTML's three when asked, or 0xE2, the first byte of U+2028 and U+2029 (and of other
    /// characters, which the escaping path then leaves as they are).
    private static func needsEscaping(_ text: String, escapingHTML: Bool) -> Bool {
        for byte in text.utf8 {
            switch byte {
            case 0..<0x20, UInt8(ascii: "\""), UInt8(ascii: "\\"), 0xE2: return true
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"): if escapingHTML { return true }
            default: continue
            }
        }
        return false
    }

    private static let hex = Array("0123456789abcdef")

    private static func writeEscaped(_ text: String, to out: inout String, escapingHTML: Bool) {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "<" where escapingHTML, ">" where escapingHTML, "&" where escapingHTML:
                out += "\\u00" + String(hex[Int(scalar.value >> 4)]) + String(hex[Int(scalar.value & 0xF)])
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + String(hex[Int(scalar.value >> 4)]) + String(hex[Int(scalar.value & 0xF)])
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
    }
}
