import CellCore

/// `--filter KEY=VALUE` as the Docker CLI reads it (its FilterOpt): the key lowercased, both sides
/// trimmed, an empty value of the flag ignored, a word without `=` refused as a bad value of the
/// flag. Which keys and values mean anything is for the library to judge (`PruneFilter`).
enum FilterFlag {
    static func pairs(_ values: [String]) throws -> [(key: String, value: String)] {
        try values.compactMap { value in
            guard !value.isEmpty else { return nil }
            guard let equals = value.firstIndex(of: "=") else {
                throw CellError.usage("invalid argument \"\(value)\" for \"--filter\" flag: bad format of filter (expected name=value)")
            }
            return (String(value[..<equals]).trimmedWhitespace.lowercased(), String(value[value.index(after: equals)...]).trimmedWhitespace)
        }
    }
}
