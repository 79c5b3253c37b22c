import CellFormat

/// The `filters` query parameter: JSON that maps each key to its values, as moby's filters.FromJSON
/// reads it (`{"status":["exited"]}`, or the newer `{"label":{"a=b":true}}`), turned into the
/// `key=value` pairs the library's filters take from the CLI's `--filter`.
enum FilterParameter {
    static func pairs(_ text: String?) throws -> [(key: String, value: String)] {
        guard let text, !text.isEmpty else { return [] }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: text)
        } catch {
            throw APIError.badRequest("invalid filter: \(text)")
        }
        guard let fields = document.objectValue else { throw APIError.badRequest("invalid filter: \(text)") }
        var pairs: [(key: String, value: String)] = []
        for (key, values) in fields {
            if let list = values.arrayValue {
                for value in list {
                    guard let text = value.stringValue else { throw APIError.badRequest("invalid filter '\(key)': values must be strings") }
                    pairs.append((key, text))
                }
            } else if let map = values.objectValue {
                for (value, enabled) in map where enabled.boolValue != false {
                    pairs.append((key, value))
                }
            } else {
                throw APIError.badRequest("invalid filter '\(key)': values must be a list or a map")
            }
        }
        return pairs
    }

    /// As the CLI's `--filter` words (`status=exited`), for the filters that parse those.
    static func words(_ text: String?) throws -> [String] {
        try pairs(text).map { "\($0.key)=\($0.value)" }
    }
}
