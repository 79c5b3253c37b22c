import CellCore

/// The words the `ls --filter`s of networks and volumes share: `dangling=` and `label=`.
enum ListFilterWords {
    /// `dangling=true|1|false|0`, any case.
    static func dangling(_ value: String) throws -> Bool {
        switch value.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw CellError.invalidInput("invalid filter 'dangling=\(value)'")
        }
    }

    /// `label=KEY` (present) or `label=KEY=VALUE` (present with that value).
    static func label(_ value: String, matches labels: [String: String]) -> Bool {
        let wanted = value.split(separator: "=", maxSplits: 1).map(String.init)
        guard let key = wanted.first, let present = labels[key] else { return false }
        return wanted.count == 1 || present == wanted[1]
    }
}
