/// A strict JSON reader for the exec form (`["a", "b"]`), with Go's `json.Unmarshal` rules:
/// the whole text must be one JSON value; anything malformed means "this is shell form".
enum JSONArray {
    enum Outcome: Equatable {
        /// Not valid JSON (or not an array): Docker falls back to the shell form.
        case notJSON
        /// Valid JSON array holding something other than strings: Docker rejects the line.
        case notStringArray
        case strings([String])
    }

    static func parse(_ text: String) -> Outcome {
        var reader = Reader(scalars: Array(text.unicodeScalars))
        reader.skipWhitespace()
        guard reader.peek() == "[" else { return .notJSON }
        guard let value = reader.parseValue() else { return .notJSON }
        reader.skipWhitespace()
        guard reader.atEnd, case .array(let elements) = value else { return .notJSON }
        var strings: [String] = []
        for element in elements {
            guard case .string(let string) = element else { return .notStringArray }
            strings.append(string)
        }
        return .strings(strings)
    }

    private indirect enum Value {
        case string(String)
        case array([Value])
        case other
    }

    private struct Reader {
        let scalars: [Unicode.Scalar]
        var index = 0

        var atEnd: Bool { index >= scalars.count }
        func peek() -> Unicode.Scalar? { atEnd ? nil : scalars[index] }

        mutating func skipWhitespace() {
            while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                index += 1
            }
        }

        mutating func parseValue() -> Value? {
            skipWhitespace()
            guard let scalar = peek() else { return nil }
            switch scalar {
            case "[": return parseArray()
            case "{": return parseObject()
            case "\"": return parseString().map(Value.string)
            case "t": return literal("true")
            case "f": return literal("false")
            case "n": return literal("null")
            default: return parseNumber()
            }
        }

        mutating func literal(_ word: String) -> Value? {
            for expected in word.unicodeScalars {
                guard peek() == expected else { return nil }
                index += 1
            }
            return .other
        }

        mutating func parseArray() -> Value? {
            index += 1
            var elements: [Value] = []
            skipWhitespace()
            if peek() == "]" {
                index += 1
                return .array(elements)
            }
            while true {
                guard let element = parseValue() else { return nil }
                elements.append(element)
                skipWhitespace()
                switch peek() {
                case ",": index += 1
                case "]": index += 1; return .array(elements)
                default: return nil
                }
            }
        }

        mutating func parseObject() -> Value? {
            index += 1
            skipWhitespace()
            if peek() == "}" {
                index += 1
                return .other
            }
            while true {
                skipWhitespace()
                guard peek() == "\"", parseString() != nil else { return nil }
                skipWhitespace()
                guard peek() == ":" else { return nil }
                index += 1
                guard parseValue() != nil else { return nil }
                skipWhitespace()
                switch peek() {
                case ",": index += 1
                case "}": index += 1; return .other
                default: return nil
                }
            }
        }

        mutating func digits() -> Int {
            var count = 0
            while let scalar = peek(), ("0"..."9").contains(scalar) {
                index += 1
                count += 1
            }
            return count
        }

        mutating func parseNumber() -> Value? {
            if peek() == "-" { index += 1 }
            if peek() == "0" {
                index += 1
            } else if digits() == 0 {
                return nil
            }
            if peek() == "." {
                index += 1
                guard digits() > 0 else { return nil }
            }
            if peek() == "e" || peek() == "E" {
                index += 1
                if peek() == "+" || peek() == "-" { index += 1 }
                guard digits() > 0 else { return nil }
            }
            return .other
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= scalars.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = hexDigit(scalars[index]) else { return nil }
                value = value * 16 + digit
                index += 1
            }
            return value
        }

        func hexDigit(_ scalar: Unicode.Scalar) -> UInt32? {
            switch scalar {
            case "0"..."9": return scalar.value - 0x30
            case "a"..."f": return scalar.value - 0x61 + 10
            case "A"..."F": return scalar.value - 0x41 + 10
            default: return nil
            }
        }

        mutating func parseString() -> String? {
            index += 1
            var out = String.UnicodeScalarView()
            while let scalar = peek() {
                index += 1
                switch scalar {
                case "\"":
                    return String(out)
                case "\\":
                    guard let escaped = peek() else { return nil }
                    index += 1
                    switch escaped {
                    case "\"", "\\", "/": out.append(escaped)
                    case "b": out.append("\u{08}")
                    case "f": out.append("\u{0C}")
                    case "n": out.append("\n")
                    case "r": out.append("\r")
                    case "t": out.append("\t")
                    case "u":
                        guard let unit = hex4() else { return nil }
                        out.append(decodeUTF16(unit))
                    default: return nil
                    }
                default:
                    if scalar.value < 0x20 { return nil }
                    out.append(scalar)
                }
            }
            return nil
        }

        /// Joins a surrogate pair when one follows; a lone surrogate becomes U+FFFD (as in Go).
        mutating func decodeUTF16(_ unit: UInt32) -> Unicode.Scalar {
            if (0xD800..<0xDC00).contains(unit) {
                let save = index
                if peek() == "\\", index + 1 < scalars.count, scalars[index + 1] == "u" {
                    index += 2
                    if let low = hex4(), (0xDC00..<0xE000).contains(low) {
                        let combined = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        return Unicode.Scalar(combined) ?? "\u{FFFD}"
                    }
                }
                index = save
                return "\u{FFFD}"
            }
            return Unicode.Scalar(unit) ?? "\u{FFFD}"
        }
    }
}
