/// A request's query string, decoded as Go's url.ParseQuery decodes it (`+` is a space, `%XX` a
/// byte), read through Docker's helpers: `BoolValue`, integers, strings.
struct QueryParameters: Sendable {
    private var values: [(String, String)] = []

    init() {}

    /// Malformed escapes and NUL bytes are refused: one clear 400 rather than a lookup of a name
    /// no one can have.
    init(parsing query: Substring) throws {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try PercentDecoding.decode(parts[0], plusIsSpace: true, what: "query")
            let value = parts.count > 1 ? try PercentDecoding.decode(parts[1], plusIsSpace: true, what: "query parameter \(key)") : ""
            values.append((key, value))
        }
    }

    /// The first value given for `key` (Go's Form.Get).
    subscript(key: String) -> String? {
        values.first { $0.0 == key }?.1
    }

    /// Every value given for `key`, in order (Go's Form[key]): a build's `t`, `changes`, `type`.
    func all(_ key: String) -> [String] {
        values.filter { $0.0 == key }.map(\.1)
    }

    /// Docker's httputils.BoolValue: anything but "", 0, no, false and none (any case) is true.
    func bool(_ key: String) -> Bool {
        guard let value = self[key] else { return false }
        return !["", "0", "no", "false", "none"].contains(value.trimmingSpaces.lowercased())
    }

    /// An integer parameter; absent or empty is nil, anything else not a number a 400.
    func integer(_ key: String) throws -> Int? {
        guard let text = self[key], !text.isEmpty else { return nil }
        guard let value = Int(text) else {
            throw APIError.badRequest("strconv.Atoi: parsing \"\(text)\": invalid syntax (query parameter \(key))")
        }
        return value
    }
}

/// `%XX` escapes of a URL's path or query.
enum PercentDecoding {
    static func decode(_ text: Substring, plusIsSpace: Bool, what: String) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw APIError.badRequest("invalid URL escape in \(what)")
                }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        if bytes.contains(0) { throw APIError.badRequest("invalid NUL byte in \(what)") }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (Go's strings.TrimSpace, for query values).
    var trimmingSpaces: String {
        let characters = self.drop { $0 == " " || $0 == "\t" }
        return String(characters.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
