import CellCore
/// How Go's fmt prints values decoded from JSON (interface{} holding string, float64, bool,
/// []interface{}, map[string]interface{} or nil), with cell's exact integers printed as ints.
enum GoValueFormatting {
    /// fmt's %v: `<nil>`, `[a b]`, `map[k:v]` with keys sorted, floats as `1e+06`.
    static func print(_ value: JSONValue) -> String {
        switch value {
        case .null: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .double(let d): return GoFloat.formatV(d)
        case .string(let s): return s
        case .array(let items): return "[" + items.map(print).joined(separator: " ") + "]"
        case .object(let pairs):
            return "map[" + sortedPairs(pairs).map { $0.0 + ":" + print($0.1) }.joined(separator: " ") + "]"
        }
    }

    /// Go sorts map keys bytewise; a repeated key counts once, with its last value.
    static func sortedPairs(_ pairs: [(String, JSONValue)]) -> [(String, JSONValue)] {
        var latest: [String: JSONValue] = [:]
        for (key, value) in pairs { latest[key] = value }
        return latest.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
    }

    /// The Go type a decoded JSON value would have, for error messages.
    static func typeName(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return "<nil>"
        case .bool?: return "bool"
        case .integer?: return "int"
        case .double?: return "float64"
        case .string?: return "string"
        case .array?: return "[]interface {}"
        case .object?: return "map[string]interface {}"
        }
    }

    /// Go's text/template truth: false, 0, "", empty collections, nil and missing values are false.
    static func isTrue(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: return false
        case .bool(let b)?: return b
        case .integer(let i)?: return i != 0
        case .double(let d)?: return d != 0
        case .string(let s)?: return !s.isEmpty
        case .array(let items)?: return !items.isEmpty
        case .object(let pairs)?: return !pairs.isEmpty
        }
    }

    /// fmt.Sprint: a space between operands when neither is a string.
    static func sprint(_ values: [JSONValue]) -> String {
        var out = ""
        for (i, value) in values.enumerated() {
            if i > 0, !isString(values[i - 1]), !isString(value) { out += " " }
            out += print(value)
        }
        return out
    }

    static func isString(_ value: JSONValue) -> Bool {
        if case .string = value { return true }
        return false
    }

    /// strconv.Quote, for %q.
    static func quote(_ text: String) -> String { GoQuote.quote(text) }

    static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(digits - text.count, 0)) + text
    }

    /// fmt.Sprintf for the verbs templates use: %v %s %d %q %t %f %e %g %x %X %c %%, with flags
    /// `-`, `+`, `0`, space, width and precision. Mismatches print Go's `%!d(string=x)` forms.
    static func sprintf(_ format: String, _ arguments: [JSONValue]) -> String {
        let f = Array(format.unicodeScalars)
        var out = ""
        var argumentIndex = 0
        var i = 0
        while i < f.count {
            if f[i] != "%" { out.unicodeScalars.append(f[i]); i += 1; continue }
            i += 1
            var minus = false, plus = false, zero = false, space = false
            while i < f.count, "-+0 #".unicodeScalars.contains(f[i]) {
                switch f[i] {
                case "-": minus = true
                case "+": plus = true
                case "0": zero = true
                case " ": space = true
                default: break
                }
                i += 1
            }
            var width: Int? = nil
            while i < f.count, let digit = Int(String(f[i])) { width = (width ?? 0) * 10 + digit; i += 1 }
            var precision: Int? = nil
            if i < f.count, f[i] == "." {
                i += 1
                precision = 0
                while i < f.count, let digit = Int(String(f[i])) { precision = precision! * 10 + digit; i += 1 }
            }
            guard i < f.count else { out += "%!(NOVERB)"; break }
            let verb = f[i]
            i += 1
            if verb == "%" { out += "%"; continue }
            guard argumentIndex < arguments.count else { out += "%!\(verb)(MISSING)"; continue }
            let argument = arguments[argumentIndex]
            argumentIndex += 1
            guard var text = formatOne(verb, argument, precision: precision, plus: plus, space: space) else {
                out += bad(verb, argument)
                continue
            }
            if let width, text.unicodeScalars.count < width {
                let fill = width - text.unicodeScalars.count
                if minus {
                    text += String(repeating: " ", count: fill)
                } else if zero && isNumeric(argument) && "dfeEgGxX".unicodeScalars.contains(verb) {
                    let signed = text.hasPrefix("-") || text.hasPrefix("+")
                    let sign = signed ? String(text.removeFirst()) : ""
                    text = sign + String(repeating: "0", count: fill) + text
                } else {
                    text = String(repeating: " ", count: fill) + text
                }
            }
            out += text
        }
        if argumentIndex < arguments.count {
            out += "%!(EXTRA " + arguments[argumentIndex...].map { "\(typeName($0))=\(print($0))" }.joined(separator: ", ") + ")"
        }
        return out
    }

    static func isNumeric(_ value: JSONValue) -> Bool {
        switch value {
        case .integer, .double: return true
        default: return false
        }
    }

    static func bad(_ verb: Unicode.Scalar, _ value: JSONValue) -> String {
        if case .null = value { return "%!\(verb)(<nil>)" }
        return "%!\(verb)(\(typeName(value))=\(print(value)))"
    }

    /// One verb applied to one value; nil when the verb does not fit the value's type.
    static func formatOne(_ verb: Unicode.Scalar, _ value: JSONValue, precision: Int?, plus: Bool, space: Bool) -> String? {
        func signed(_ text: String, negative: Bool) -> String {
            negative ? text : plus ? "+" + text : space ? " " + text : text
        }
        switch (verb, value) {
        case ("v", .string(let s)), ("s", .string(let s)):
            guard let precision else { return s }
            return String(String.UnicodeScalarView(s.unicodeScalars.prefix(precision)))
        case ("v", .integer(let n)), ("d", .integer(let n)):
            return signed(String(n), negative: n < 0)
        case ("v", .double(let d)):
            let text = precision.map { GoFloat.formatG(d, precision: $0) } ?? GoFloat.formatV(d)
            return signed(text, negative: d.sign == .minus)
        case ("v", _), ("s", .array), ("s", .object), ("d", .array):
            return print(value)
        case ("t", .bool(let b)):
            return b ? "true" : "false"
        case ("q", .string(let s)):
            return quote(s)
        case ("q", .integer(let n)), ("c", .integer(let n)):
            let scalar = Unicode.Scalar(UInt32(truncatingIfNeeded: n)) ?? "\u{FFFD}"
            return verb == "c" ? String(scalar) : "'" + String(quote(String(scalar)).dropFirst().dropLast()) + "'"
        case ("f", .double(let d)), ("F", .double(let d)):
            if let special = GoFloat.special(d) { return special }
            return signed(GoFloat.cFormat("%.*f", precision: precision ?? 6, d), negative: d.sign == .minus)
        case ("e", .double(let d)), ("E", .double(let d)):
            if let special = GoFloat.special(d) { return special }
            let text = GoFloat.cFormat("%.*e", precision: precision ?? 6, d)
            return signed(verb == "E" ? text.uppercased() : text, negative: d.sign == .minus)
        case ("g", .double(let d)), ("G", .double(let d)):
            let text = precision.map { GoFloat.formatG(d, precision: $0) } ?? GoFloat.formatV(d)
            return signed(verb == "G" ? text.uppercased() : text, negative: d.sign == .minus)
        case ("x", .integer(let n)), ("X", .integer(let n)):
            let text = (n < 0 ? "-" : "") + String(n.magnitude, radix: 16, uppercase: verb == "X")
            return signed(text, negative: n < 0)
        case ("x", .string(let s)), ("X", .string(let s)):
            return s.utf8.map { hex(UInt32($0), digits: 2) }.joined().applying(uppercase: verb == "X")
        default:
            return nil
        }
    }
}

extension String {
    fileprivate func applying(uppercase: Bool) -> String { uppercase ? self.uppercased() : self }
}
