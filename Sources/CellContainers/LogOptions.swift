import CellCore
import CellFormat
import CellRuntime

/// `--log-driver` and `--log-opt` as Docker's json-file, local, none and syslog drivers take them.
enum LogOptions {
    static let jsonFileKeys: Set<String> = ["max-size", "max-file", "compress"]
    static let syslogKeys: Set<String> = ["syslog-address", "syslog-facility", "syslog-format", "tag",
                                          "cache-max-size", "cache-max-file", "cache-disabled", "cache-compress"]
    /// Keys Docker's drivers take that cell's do not yet.
    static let laterKeys: Set<String> = ["labels", "labels-regex", "env", "env-regex", "tag", "syslog-tls-ca-cert",
                                         "syslog-tls-cert", "syslog-tls-key", "syslog-tls-skip-verify"]

    /// The fields a `tag` template may name, as Docker's logger.Info has them.
    struct TagFields {
        var id: String
        var name: String
        var image: String
        var imageID: String
        var command: String
    }

    static func parse(driver: String?, options: [String], tagFields: TagFields) throws -> (LogConfiguration, [String: String]) {
        var values: [String: String] = [:]
        for option in options {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CellError.usage("invalid argument \"\(option)\" for \"--log-opt\" flag: invalid key value pair format in log options") }
            values[parts[0]] = parts[1]
        }
        let name = driver ?? "json-file"
        guard let kind = LogConfiguration.Driver(rawValue: name) else {
            throw CellError(.setup, "logger: cell has no \(name) logging driver yet (json-file, local, none and syslog)")
        }
        if kind == .syslog { return (try syslog(values, tagFields: tagFields), values) }
        if kind == .none {
            if let key = values.keys.sorted().first { throw CellError(.setup, "logger: unknown log opt '\(key)' for none log driver") }
            return (LogConfiguration(driver: .none, maximumSize: nil, maximumFiles: 1), values)
        }
        try checkKeys(values, driver: name, known: jsonFileKeys)
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

    private static func checkKeys(_ values: [String: String], driver: String, known: Set<String>) throws {
        for key in values.keys.sorted() where !known.contains(key) {
            throw CellError(.setup, laterKeys.contains(key) ? "logger: cell's \(driver) log driver does not take '\(key)' yet"
                                                           : "logger: unknown log opt '\(key)' for \(driver) log driver")
        }
    }

    /// The syslog driver: its receiver, facility, format and tag, and the rotated file kept for
    /// `logs` (Docker's dual-logging cache: 20 MB, 5 files, unless `cache-max-*` say otherwise).
    private static func syslog(_ values: [String: String], tagFields: TagFields) throws -> LogConfiguration {
        try checkKeys(values, driver: "syslog", known: syslogKeys)
        let (transport, target) = try SyslogDestination.parseAddress(values["syslog-address"] ?? "")
        let facility = try SyslogDestination.parseFacility(values["syslog-facility"] ?? "")
        guard let format = SyslogDestination.Format(rawValue: values["syslog-format"] ?? "") else {
            throw CellError(.setup, "logger: Invalid syslog format")
        }
        let tag = try resolveTag(values["tag"] ?? "{{.ID}}", tagFields)
        var configuration = LogConfiguration(driver: .syslog, maximumSize: 20 << 20, maximumFiles: 5,
                                             syslog: SyslogDestination(transport: transport, target: target, facility: facility,
                                                                       format: format, tag: tag))
        if let size = values["cache-max-size"] {
            guard let bytes = try? HumanUnits.ramInBytes(size), bytes > 0 else { throw CellError(.setup, "logger: invalid cache-max-size \(size)") }
            configuration.maximumSize = bytes
        }
        if let files = values["cache-max-file"] {
            guard let count = Int(files), count >= 1 else { throw CellError(.setup, "logger: invalid cache-max-file \(files)") }
            configuration.maximumFiles = count
        }
        for key in ["cache-disabled", "cache-compress"] {
            if let value = values[key], !["false", "0"].contains(value.lowercased()) {
                throw CellError(.setup, "logger: cell's syslog log driver does not take '\(key)=\(value)' yet (false)")
            }
        }
        return configuration
    }

    /// Docker's `tag` template over the container's fields; the default is `{{.ID}}`.
    static func resolveTag(_ template: String, _ fields: TagFields) throws -> String {
        let values = ["ID": String(fields.id.prefix(12)), "FullID": fields.id, "Name": fields.name,
                      "ImageName": fields.image, "ImageID": String((fields.imageID.hasPrefix("sha256:") ? fields.imageID.dropFirst(7) : fields.imageID[...]).prefix(12)),
                      "ImageFullID": fields.imageID, "DaemonName": "cell", "Command": fields.command]
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstRange(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                throw CellError(.setup, "logger: invalid tag template \(template): unclosed action")
            }
            let field = String(rest[open.upperBound..<close.lowerBound].filter { $0 != " " })
            guard field.hasPrefix("."), let value = values[String(field.dropFirst())] else {
                throw CellError(.setup, "logger: invalid tag template \(template): no field \(field) (\(values.keys.sorted().map { "." + $0 }.joined(separator: ", ")))")
            }
            result += value
            rest = rest[close.upperBound...]
        }
        result += rest
        // A newline would end the message early on a stream and make the rest a message of
        // its own: the tag is one line of printable text.
        guard !result.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw CellError(.setup, "logger: the tag may not hold control characters")
        }
        return result
    }
}
