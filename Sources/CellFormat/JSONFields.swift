import CellCore

/// The fields of a JSON object, read with the rules of JSONDecoder and Codable's synthesized
/// `init(from:)`: the first of repeated keys; nil for a missing or null optional; an error for
/// a missing field, a null where a value must be, or a value of another type; integers also
/// written as 1.0 or 1e2, but not 1.5. Where the parser differs, it refuses more (nesting past
/// 1,000, a byte-order mark) or repairs (invalid UTF-8 becomes U+FFFD, which JSONDecoder
/// refuses): for documents whose digest is checked, or the store's own.
///
/// Why not Codable: in a fresh process, each Codable type's first decoding makes the Swift
/// runtime demangle its containers' types and scan every protocol conformance of the binary
/// (4,600 records in `cell`) for its coding keys, and JSONDecoder itself starts cold. Documents
/// read on every `cell run` (the image index, manifest and config, the network) are read through
/// this instead: a parse into `JSONValue`, and plain code.
public struct JSONFields {
    /// Where a field is wrong: `missing` names the field, the others the path to it.
    public enum Failure: Error, Equatable {
        case missing(field: String)
        case wrongType(path: String)
        case badValue(path: String)

        /// As `StoredJSON` words Codable's errors.
        public var description: String {
            switch self {
            case .missing(let field): return "missing field \"\(field)\""
            case .wrongType(let path): return "wrong type at \(path)"
            case .badValue(let path): return "bad value at \(path)"
            }
        }
    }

    private let pairs: [(String, JSONValue)]
    private let path: [String]

    /// The fields of `value`, which must be an object (`path` names it in errors).
    public init(_ value: JSONValue, path: [String] = []) throws {
        guard case .object(let pairs) = value else { throw Failure.wrongType(path: path.joined(separator: ".")) }
        self.pairs = pairs
        self.path = path
    }

    /// The path of `key` in errors.
    public func path(of key: String) -> [String] { path + [key] }

    private func pathText(_ key: String) -> String { path(of: key).joined(separator: ".") }

    /// The value of `key`, nil when missing or null.
    public func value(_ key: String) -> JSONValue? {
        guard let value = pairs.first(where: { $0.0 == key })?.1, !value.isNull else { return nil }
        return value
    }

    /// The value of a field that must be there.
    public func required<T>(_ key: String, _ read: (String) throws -> T?) throws -> T {
        guard let value = try read(key) else { throw Failure.missing(field: key) }
        return value
    }

    public func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw Failure.wrongType(path: pathText(key)) }
        return text
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw Failure.wrongType(path: pathText(key)) }
        return flag
    }

    public func int64(_ key: String) throws -> Int64? {
        guard let value = value(key) else { return nil }
        switch value {
        case .integer(let number): return number
        case .double(let number):
            // JSONDecoder takes an integral number in any notation that fits.
            guard let exact = Int64(exactly: number) else { throw Failure.badValue(path: pathText(key)) }
            return exact
        default: throw Failure.wrongType(path: pathText(key))
        }
    }

    public func int(_ key: String) throws -> Int? {
        try int64(key).map { Int($0) }
    }

    public func strings(_ key: String) throws -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else { throw Failure.wrongType(path: pathText(key)) }
        // Plain loops here: a generic sequence adaptor (enumerated()) costs a conformance scan
        // the first time, which is what this type is for avoiding.
        var texts: [String] = []
        for index in items.indices {
            guard case .string(let text) = items[index] else { throw Failure.wrongType(path: pathText(key) + ".\(index)") }
            texts.append(text)
        }
        return texts
    }

    /// An object of strings (labels, annotations).
    public func stringMap(_ key: String) throws -> [String: String]? {
        guard let value = value(key) else { return nil }
        guard case .object(let members) = value else { throw Failure.wrongType(path: pathText(key)) }
        var map: [String: String] = [:]
        for (name, member) in members where map[name] == nil {
            guard case .string(let text) = member else { throw Failure.wrongType(path: pathText(key) + ".\(name)") }
            map[name] = text
        }
        return map
    }

    /// The names of an object whose values carry nothing (Docker's `ExposedPorts`, `Volumes`:
    /// `{"80/tcp": {}}`): Codable's empty struct takes any value there.
    public func names(_ key: String) throws -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .object(let members) = value else { throw Failure.wrongType(path: pathText(key)) }
        // A set beside the list: a hostile config may repeat a million keys.
        var names: [String] = []
        var seen: Set<String> = []
        for (name, _) in members where seen.insert(name).inserted { names.append(name) }
        return names
    }

    /// A nested object, read by `read`.
    public func object<T>(_ key: String, _ read: (JSONFields) throws -> T) throws -> T? {
        guard let value = value(key) else { return nil }
        return try read(try JSONFields(value, path: path(of: key)))
    }

    /// An array of objects, each read by `read`.
    public func objects<T>(_ key: String, _ read: (JSONFields) throws -> T) throws -> [T]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else { throw Failure.wrongType(path: pathText(key)) }
        var values: [T] = []
        for index in items.indices {
            if items[index].isNull { throw Failure.wrongType(path: pathText(key) + ".\(index)") }
            values.append(try read(try JSONFields(items[index], path: path(of: key) + [String(index)])))
        }
        return values
    }

    /// An array of strings, each turned into a value by `make` (a digest, whose own error is
    /// the error, as its Decodable's is).
    public func strings<T>(_ key: String, as make: (String) throws -> T) throws -> [T]? {
        guard let texts = try strings(key) else { return nil }
        var values: [T] = []
        for text in texts { values.append(try make(text)) }
        return values
    }

    /// A string turned into a value by `make`, as `strings(_:as:)`.
    public func string<T>(_ key: String, as make: (String) throws -> T) throws -> T? {
        try string(key).map(make)
    }
}
