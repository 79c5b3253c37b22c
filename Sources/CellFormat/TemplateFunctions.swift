/// An argument of the wrong type, which Go reports without `error calling`.
struct TemplateArgumentError: Error {
    var message: String
}

/// Go's builtin template functions plus the ones docker adds (`json`, `join`, `split`, `lower`,
/// `upper`, `title`, `pad`, `truncate`). Arguments arrive evaluated; nil interfaces as `.null`.
enum TemplateFunctions {
    static let names: Set<String> = [
        "and", "or", "not", "len", "index", "print", "printf", "println",
        "eq", "ne", "lt", "le", "gt", "ge",
        "json", "join", "split", "lower", "upper", "title", "pad", "truncate",
    ]

    static func call(_ name: String, _ args: [JSONValue]) throws -> JSONValue {
        func want(_ count: Int) throws {
            guard args.count == count else {
                throw TemplateArgumentError(message: "wrong number of args for \(name): want \(count) got \(args.count)")
            }
        }
        switch name {
        case "not":
            try want(1)
            return .bool(!GoValueFormatting.isTrue(args[0]))
        case "len":
            try want(1)
            return .integer(Int64(try length(args[0])))
        case "index":
            guard !args.isEmpty else { throw TemplateArgumentError(message: "wrong number of args for index: want at least 1 got 0") }
            return try index(args[0], Array(args.dropFirst()))
        case "print":
            return .string(GoValueFormatting.sprint(args))
        case "println":
            return .string(args.map(GoValueFormatting.print).joined(separator: " ") + "\n")
        case "printf":
            guard let format = args.first else { throw TemplateArgumentError(message: "wrong number of args for printf: want at least 1 got 0") }
            return .string(GoValueFormatting.sprintf(try string(format), Array(args.dropFirst())))
        case "eq":
            guard args.count >= 2 else { throw TemplateCallError(message: "missing argument for comparison") }
            for other in args.dropFirst() where try equal(args[0], other) { return .bool(true) }
            return .bool(false)
        case "ne":
            try want(2)
            return .bool(!(try equal(args[0], args[1])))
        case "lt", "le", "gt", "ge":
            try want(2)
            let order = try compare(args[0], args[1])
            switch name {
            case "lt": return .bool(order < 0)
            case "le": return .bool(order <= 0)
            case "gt": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case "json":
            try want(1)
            return .string(args[0].serialized(indent: nil, escapingHTML: false))
        case "join":
            try want(2)
            let separator = try string(args[1])
            switch args[0] {
            case .null: return .string("")
            case .array(let items): return .string(items.map(GoValueFormatting.print).joined(separator: separator))
            default:
                throw TemplateArgumentError(message: "wrong type for value; expected []string; got \(GoValueFormatting.typeName(args[0]))")
            }
        case "split":
            try want(2)
            return .array(split(try string(args[0]), by: try string(args[1])).map { .string($0) })
        case "lower":
            try want(1)
            return .string(try string(args[0]).lowercased())
        case "upper":
            try want(1)
            return .string(try string(args[0]).uppercased())
        case "title":
            try want(1)
            return .string(title(try string(args[0])))
        case "pad":
            try want(3)
            let text = try string(args[0])
            if text.isEmpty { return .string(text) }
            return .string(String(repeating: " ", count: max(try int(args[1]), 0)) + text + String(repeating: " ", count: max(try int(args[2]), 0)))
        case "truncate":
            try want(2)
            let text = try string(args[0])
            let length = try int(args[1])
            if text.utf8.count < length { return .string(text) }
            return .string(String(decoding: text.utf8.prefix(max(length, 0)), as: UTF8.self))
        default:
            throw TemplateArgumentError(message: "function \(name.debugDescription) not defined")
        }
    }

    static func string(_ value: JSONValue) throws -> String {
        switch value {
        case .string(let s): return s
        case .null: throw TemplateArgumentError(message: "invalid value; expected string")
        default: throw TemplateArgumentError(message: "wrong type for value; expected string; got \(GoValueFormatting.typeName(value))")
        }
    }

    static func int(_ value: JSONValue) throws -> Int {
        if case .integer(let n) = value { return Int(n) }
        throw TemplateArgumentError(message: "wrong type for value; expected int; got \(GoValueFormatting.typeName(value))")
    }

    /// Go's len: bytes of a string, elements of a slice or map.
    static func length(_ value: JSONValue) throws -> Int {
        switch value {
        case .string(let s): return s.utf8.count
        case .array(let items): return items.count
        case .object(let pairs): return GoValueFormatting.sortedPairs(pairs).count
        case .null: throw TemplateCallError(message: "len of nil pointer")
        default: throw TemplateCallError(message: "len of type \(GoValueFormatting.typeName(value))")
        }
    }

    /// Go's index: `index .Labels "key"` (a missing key gives a nil), `index .List 0`, nested keys.
    static func index(_ item: JSONValue, _ keys: [JSONValue]) throws -> JSONValue {
        var current = item
        for key in keys {
            switch current {
            case .array(let items):
                guard let position = key.integerValue, case .integer = key else {
                    throw TemplateCallError(message: "cannot index slice/array with type \(GoValueFormatting.typeName(key))")
                }
                guard position >= 0 && position < items.count else {
                    throw TemplateCallError(message: "index out of range: \(position)")
                }
                current = items[Int(position)]
            case .string(let text):
                guard case .integer(let position) = key else {
                    throw TemplateCallError(message: "cannot index slice/array with type \(GoValueFormatting.typeName(key))")
                }
                let bytes = Array(text.utf8)
                guard position >= 0 && position < bytes.count else { throw TemplateCallError(message: "index out of range: \(position)") }
                current = .integer(Int64(bytes[Int(position)]))
            case .object:
                guard case .string(let name) = key else {
                    throw TemplateCallError(message: "value has type \(GoValueFormatting.typeName(key)); should be string")
                }
                current = current[name] ?? .null
            case .null:
                throw TemplateCallError(message: "index of untyped nil")
            default:
                throw TemplateCallError(message: "can't index item of type \(GoValueFormatting.typeName(current))")
            }
        }
        return current
    }

    /// Go's eq for basic values: nil equals only nil; numbers compare by value; other kinds must match.
    static func equal(_ a: JSONValue, _ b: JSONValue) throws -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        case let (.bool(x), .bool(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case (.integer, .double), (.double, .integer), (.double, .double): return a.doubleValue == b.doubleValue
        case (.array, _), (.object, _), (_, .array), (_, .object):
            throw TemplateCallError(message: "non-comparable type")
        default:
            throw TemplateCallError(message: "incompatible types for comparison")
        }
    }

    /// lt/le/gt/ge: numbers or strings (bytewise, as Go compares).
    static func compare(_ a: JSONValue, _ b: JSONValue) throws -> Int {
        switch (a, b) {
        case let (.integer(x), .integer(y)): return x < y ? -1 : x == y ? 0 : 1
        case (.integer, .double), (.double, .integer), (.double, .double):
            let x = a.doubleValue!, y = b.doubleValue!
            return x < y ? -1 : x == y ? 0 : 1
        case let (.string(x), .string(y)):
            if x == y { return 0 }
            return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8)) ? -1 : 1
        case (.string, .integer), (.string, .double), (.integer, .string), (.double, .string):
            throw TemplateCallError(message: "incompatible types for comparison")
        default:
            throw TemplateCallError(message: "invalid type for comparison")
        }
    }

    /// strings.Split: an empty separator splits into characters; an empty string gives [""].
    static func split(_ text: String, by separator: String) -> [String] {
        if separator.isEmpty { return text.unicodeScalars.map { String($0) } }
        var parts: [String] = []
        var current: [UInt8] = []
        let bytes = Array(text.utf8)
        let sep = Array(separator.utf8)
        var i = 0
        while i < bytes.count {
            if i + sep.count <= bytes.count && bytes[i..<(i + sep.count)].elementsEqual(sep) {
                parts.append(String(decoding: current, as: UTF8.self))
                current = []
                i += sep.count
            } else {
                current.append(bytes[i])
                i += 1
            }
        }
        parts.append(String(decoding: current, as: UTF8.self))
        return parts
    }

    /// strings.Title: upper-case the first letter of each word; words are separated by anything
    /// other than letters, digits, underscore and marks (ASCII punctuation and spaces count as separators).
    static func title(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var previousIsSeparator = true
        for scalar in text.unicodeScalars {
            if previousIsSeparator {
                out.append(contentsOf: String(scalar).uppercased().unicodeScalars)
            } else {
                out.append(scalar)
            }
            previousIsSeparator = isSeparator(scalar)
        }
        return String(out)
    }

    static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let v = scalar.value
            if (0x30...0x39).contains(v) || (0x41...0x5a).contains(v) || (0x61...0x7a).contains(v) || v == 0x5f { return false }
            return true
        }
        if scalar.properties.isAlphabetic || scalar.properties.numericType != nil { return false }
        return scalar.properties.isWhitespace
    }
}
