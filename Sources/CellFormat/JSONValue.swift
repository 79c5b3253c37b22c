/// A JSON document that keeps object keys in the order they were written or built, so that
/// `cell inspect` prints fields in docker's order; integers stay exact (Int64) apart from floats.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Keys in order; a parsed document keeps duplicates, and lookups see the last one (as Go does).
    case object([(String, JSONValue)])
}

extension JSONValue: Equatable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }
}

extension JSONValue {
    /// Builds an integer from any integer type: `.int(container.pid)`.
    public static func int<T: BinaryInteger>(_ value: T) -> JSONValue { .integer(Int64(value)) }

    /// An array of strings, the commonest list in docker's documents (`Cmd`, `Env`, `RepoTags`).
    public static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }

    /// An object of the members that are there (nil ones left out), keys sorted as Swift sorts
    /// strings: what JSONEncoder writes for a synthesized Encodable with `.sortedKeys`.
    public static func sortedObject(_ members: [(String, JSONValue?)]) -> JSONValue {
        var present: [(String, JSONValue)] = []
        for (key, value) in members { if let value { present.append((key, value)) } }
        return .object(present.sorted { $0.0 < $1.0 })
    }

    /// A dictionary of strings, keys sorted the same way.
    public static func sortedObject(_ map: [String: String]) -> JSONValue {
        var members: [(String, JSONValue)] = []
        for (key, value) in map { members.append((key, .string(value))) }
        return .object(members.sorted { $0.0 < $1.0 })
    }

    /// A JSON array of strings as history and progress lines show it (`["cat","/app/x"]`).
    public static func compactArray(_ values: [String]) -> String {
        strings(values).serialized(indent: nil, escapingHTML: false)
    }

    /// The value of `key` in an object (the last one if repeated); nil for a missing key or a non-object.
    /// Setting replaces the value in place (keeping its position) or appends; setting nil removes the key.
    public subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let pairs) = self else { return nil }
            return pairs.last { $0.0 == key }?.1
        }
        set {
            guard case .object(var pairs) = self else { return }
            if let newValue {
                if let index = pairs.lastIndex(where: { $0.0 == key }) {
                    pairs[index].1 = newValue
                } else {
                    pairs.append((key, newValue))
                }
            } else {
                pairs.removeAll { $0.0 == key }
            }
            self = .object(pairs)
        }
    }

    /// The element at `index` of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The integer, also from a float with no fraction (a document written by another tool may say `5.0`).
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9.2e18: return Int64(value)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var objectValue: [(String, JSONValue)]? {
        if case .object(let pairs) = self { return pairs }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Dictionary literals keep their written order: `["Id": "abc", "Size": 5]`.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
}
