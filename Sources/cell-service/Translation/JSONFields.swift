import CellCore
import CellFormat

/// Reads the fields of one JSON object of a request by name and type, and remembers which were
/// read: whatever is left and set (not null, false, 0, "", [] or {}) is a field cell cannot honour,
/// refused in one line that names it. Clients send Docker's whole structs with zero values for
/// what they leave unset, so only a value that asks for something counts.
struct JSONFields {
    let path: String
    private let fields: [(String, JSONValue)]
    private var read: Set<String> = []

    init(_ value: JSONValue?, path: String) throws {
        self.path = path
        switch value {
        case nil, .null?: fields = []
        case .object(let pairs)?: fields = pairs
        default: throw APIError.badRequest("\(path): expected a JSON object")
        }
    }

    /// A request's body as the object's fields; an empty body has none.
    init(body: [UInt8], path: String) throws {
        guard !body.isEmpty else {
            try self.init(nil, path: path)
            return
        }
        do {
            try self.init(try JSONValue(parsing: body), path: path)
        } catch let error as CellError {
            throw APIError.badRequest(error.message)
        }
    }

    private mutating func take(_ name: String) -> JSONValue? {
        read.insert(name)
        guard let value = fields.last(where: { $0.0 == name })?.1, !value.isNull else { return nil }
        return value
    }

    private func mistake(_ name: String, _ expected: String) -> APIError {
        APIError.badRequest("\(path).\(name): expected \(expected)")
    }

    mutating func string(_ name: String) throws -> String? {
        guard let value = take(name) else { return nil }
        guard let text = value.stringValue else { throw mistake(name, "a string") }
        return text
    }

    mutating func bool(_ name: String) throws -> Bool? {
        guard let value = take(name) else { return nil }
        guard let flag = value.boolValue else { throw mistake(name, "true or false") }
        return flag
    }

    mutating func integer(_ name: String) throws -> Int64? {
        guard let value = take(name) else { return nil }
        // `5.0` from a client in another language is 5 too (`integerValue`).
        guard let number = value.integerValue else { throw mistake(name, "an integer") }
        return number
    }

    /// A list of strings; Docker's StrSlice also takes a single string.
    mutating func strings(_ name: String) throws -> [String]? {
        guard let value = take(name) else { return nil }
        if let text = value.stringValue { return [text] }
        guard let list = value.arrayValue else { throw mistake(name, "a list of strings") }
        return try list.map { item in
            guard let text = item.stringValue else { throw mistake(name, "a list of strings") }
            return text
        }
    }

    /// A map of strings (Labels, Sysctls, Tmpfs), in the order sent.
    mutating func stringMap(_ name: String) throws -> [(String, String)]? {
        guard let value = take(name) else { return nil }
        guard let pairs = value.objectValue else { throw mistake(name, "an object of strings") }
        return try pairs.map { key, item in
            guard let text = item.stringValue else { throw mistake(name, "an object of strings") }
            return (key, text)
        }
    }

    /// The keys of an object whose values are ignored (ExposedPorts' `{}`s).
    mutating func keys(_ name: String) throws -> [String]? {
        guard let value = take(name) else { return nil }
        guard let pairs = value.objectValue else { throw mistake(name, "an object") }
        return pairs.map(\.0)
    }

    mutating func object(_ name: String) throws -> JSONFields {
        try JSONFields(take(name), path: "\(path).\(name)")
    }

    mutating func objects(_ name: String) throws -> [JSONFields] {
        guard let value = take(name) else { return [] }
        guard let list = value.arrayValue else { throw mistake(name, "a list of objects") }
        return try list.enumerated().map { try JSONFields($0.element, path: "\(path).\(name)[\($0.offset)]") }
    }

    /// The raw value, for fields read another way (PortBindings).
    mutating func value(_ name: String) -> JSONValue? {
        take(name)
    }

    /// Marks fields as understood whatever they hold: what Docker itself ignores on create, or what
    /// concerns the client only.
    /// The names of the fields that ask for something (not zero values).
    var setFieldNames: [String] {
        fields.filter { !JSONFields.isZero($0.1) }.map(\.0)
    }

    mutating func ignore(_ names: String...) {
        read.formUnion(names)
    }

    /// Refuses the first field that was not read and asks for something; `why` says what cell
    /// does instead, for the fields it knows.
    func refuseUnread(_ why: [String: String] = [:]) throws {
        for (name, value) in fields where !read.contains(name) && !JSONFields.isZero(value) {
            throw APIError.badRequest("\(path).\(name) is not supported: \(why[name] ?? "cell has no counterpart for it")")
        }
    }

    /// Go's zero values, and containers holding nothing but them (`"RestartPolicy":{"Name":""}`,
    /// `"ConsoleSize":[0,0]`).
    static func isZero(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .bool(let flag): return !flag
        case .integer(let number): return number == 0
        case .double(let number): return number == 0
        case .string(let text): return text.isEmpty
        case .array(let items): return items.allSatisfy(isZero)
        case .object(let pairs): return pairs.allSatisfy { isZero($0.1) }
        }
    }
}
