import CellCore
import CellFormat
import CellRuntime

/// `--log-driver` and `--log-opt` as Docker's json-file, local and none drivers take them.
enum LogOptions {
    static let jsonFileKeys: Set<String> = ["max-size", "max-file", "compress"]

    static func parse(driver: String?, options: [String]) throws -> (LogConfiguration, [String: String]) {
        var values: [String: String] = [:]
        for option in options {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CellError.usage("invalid argument \"\(option)\" for \"--log-opt\" flag: invalid key value pair format in log options") }
            values[parts[0]] = parts[1]
        }
        let name = driver ?? "json-file"
        guard let kind = LogConfiguration.Driver(rawValue: name) else {
            throw CellError(.setup, "logger: cell has no \(name) logging driver yet (json-file, local and none)")
        }
        if kind == .none {
            if let key = values.keys.sorted().first { throw CellError(.setup, "logger: unknown log opt '\(key)' for none log driver") }
            return (LogConfiguration(driver: .none, maximumSize: nil, maximumFiles: 1), values)
        }
        for key in values.keys.sorted() where !jsonFileKeys.contains(key) {
            let known: Set<String> = ["labels", "labels-regex", "env", "env-regex", "tag"]
            throw CellError(.setup, known.contains(key) ? "logger: cell's \(name) log driver does not take '\(key)' yet"
                                                       : "logger: unknown log opt '\(key)' for \(name) log driver")
        }
        // Docker's local driver rotates by default (20 MiB, 5 files); json-file does not.
        var configuration = LogConfiguration(driver: kind, maximumSize: kind == .local ? 20 << 20 : nil, maximumFiles: kind == .local ? 5 : 1)
        if let size = values["max-size"], size != "-1" {
            guard let bytes = try? HumanUnits.ramInBytes(size), bytes > 0 else {
                throw CellError(.setup, "logger: invalid max-size \(size)")
            }
            configuration.maximumSize = bytes
        }
        if let files = values["max-file"] {
            guard let count = Int(files) else { throw CellError(.setup, "logger: invalid max-file \(files)") }
            guard count >= 1 else { throw CellError(.setup, "logger: max-file cannot be less than 1") }
            configuration.maximumFiles = count
        }
        if let compress = values["compress"], !["false", "0"].contains(compress.lowercased()) {
            throw CellError(.setup, "logger: cell's \(name) log driver does not compress rotated files yet (compress=false)")
        }
        return (configuration, values)
    }
}
