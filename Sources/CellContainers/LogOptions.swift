#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellFormat
import CellRuntime

/// `--log-driver` and `--log-opt` as Docker's json-file, local, none, syslog and fluentd drivers
/// take them.
enum LogOptions {
    static let jsonFileKeys: Set<String> = ["max-size", "max-file", "compress"]
    /// Docker's dual-logging cache, which every driver that sends lines elsewhere keeps.
    static let cacheKeys: Set<String> = ["cache-max-size", "cache-max-file", "cache-disabled", "cache-compress"]
    static let syslogKeys: Set<String> = cacheKeys.union(["syslog-address", "syslog-facility", "syslog-format", "tag",
                                                          "syslog-tls-ca-cert", "syslog-tls-cert", "syslog-tls-key",
                                                          "syslog-tls-skip-verify"])
    static let fluentdKeys: Set<String> = cacheKeys.union(["fluentd-address", "fluentd-async", "fluentd-buffer-limit",
                                                           "fluentd-retry-wait", "fluentd-max-retries",
                                                           "fluentd-sub-second-precision", "fluentd-write-timeout",
                                                           "tag", "labels", "labels-regex", "env", "env-regex"])
    static let journaldKeys: Set<String> = cacheKeys.union(["tag", "labels", "labels-regex", "env", "env-regex"])
    /// Keys Docker's drivers take that cell's do not yet.
    static let laterKeys: Set<String> = ["labels", "labels-regex", "env", "env-regex", "tag",
                                         "fluentd-request-ack", "fluentd-read-timeout", "fluentd-async-reconnect-interval"]

    /// What a log driver knows of its container, as Docker's logger.Info has it: the fields a
    /// `tag` template may name, and the labels and environment `labels`/`env` pick from.
    struct LoggerInfo {
        var id: String
        var name: String
        var image: String
        var imageID: String
        var command: String
        var labels: [String: String] = [:]
        var environment: [String] = []
    }

    static func parse(driver: String?, options: [String], info: LoggerInfo) throws -> (LogConfiguration, [String: String]) {
        var values: [String: String] = [:]
        for option in options {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CellError.usage("invalid argument \"\(option)\" for \"--log-opt\" flag: invalid key value pair format in log options") }
            values[parts[0]] = parts[1]
        }
        let name = driver ?? "json-file"
        guard let kind = LogConfiguration.Driver(rawValue: name) else {
            throw CellError(.setup, "logger: cell has no \(name) logging driver yet (json-file, local, none, syslog, fluentd and journald)")
        }
        if kind == .syslog { return (try syslog(values, info: info), values) }
        if kind == .journald { return (try journald(values, info: info), values) }
        if kind == .fluentd { return (try fluentd(values, info: info), values) }
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
        if let text = values["compress"] {
            guard let compress = GoBool.parse(text) else {
                throw CellError(.setup, "strconv.ParseBool: parsing \"\(text)\": invalid syntax")
            }
            if compress && (configuration.maximumFiles == 1 || configuration.maximumSize == nil) {
                throw CellError(.setup, "compress cannot be true when max-file is less than 2 or max-size is not set")
            }
            configuration.compress = compress
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
    private static func syslog(_ values: [String: String], info: LoggerInfo) throws -> LogConfiguration {
        try checkKeys(values, driver: "syslog", known: syslogKeys)
        let (transport, target) = try SyslogDestination.parseAddress(values["syslog-address"] ?? "")
        let facility = try SyslogDestination.parseFacility(values["syslog-facility"] ?? "")
        guard let format = SyslogDestination.Format(rawValue: values["syslog-format"] ?? "") else {
            throw CellError(.setup, "logger: Invalid syslog format")
        }
        let tag = try resolveTag(values["tag"] ?? "{{.ID}}", info)
        var destination = SyslogDestination(transport: transport, target: target, facility: facility, format: format, tag: tag)
        if transport == .tcpTLS { destination.tls = try tlsSettings(values) }
        var configuration = LogConfiguration(driver: .syslog, maximumSize: 20 << 20, maximumFiles: 5, syslog: destination)
        try applyCacheOptions(values, driver: "syslog", to: &configuration)
        return configuration
    }

    /// tcp+tls's files, checked readable now (the monitor reads them at each connection), as
    /// Docker's client reads them when the container starts.
    private static func tlsSettings(_ values: [String: String]) throws -> TLSClientSettings {
        func file(_ key: String) throws -> String? {
            guard let path = values[key], !path.isEmpty else { return nil }
            guard access(path, R_OK) == 0 else { throw CellError(.setup, "logger: \(key) \(path): \(Syscall.errorString(errno))") }
            return path
        }
        let settings = TLSClientSettings(caFile: try file("syslog-tls-ca-cert"), certificateFile: try file("syslog-tls-cert"),
                                         keyFile: try file("syslog-tls-key"),
                                         // Docker takes the key's presence, whatever its value, as yes.
                                         skipVerify: values["syslog-tls-skip-verify"] != nil)
        guard (settings.certificateFile == nil) == (settings.keyFile == nil) else {
            throw CellError(.setup, "logger: syslog-tls-cert and syslog-tls-key go together")
        }
        return settings
    }

    /// The journald driver: Docker's fields for each entry, and the dual-logging cache as
    /// syslog's. Whether journald runs is asked when the container starts.
    private static func journald(_ values: [String: String], info: LoggerInfo) throws -> LogConfiguration {
        try checkKeys(values, driver: "journald", known: journaldKeys)
        let tag = try resolveTag(values["tag"] ?? "{{.ID}}", info)
        var fields = ["CONTAINER_ID=\(info.id.prefix(12))", "CONTAINER_ID_FULL=\(info.id)", "CONTAINER_NAME=\(info.name)",
                      "CONTAINER_TAG=\(tag)", "SYSLOG_IDENTIFIER=\(tag)", "IMAGE_NAME=\(info.image)"]
        for (name, value) in try extraAttributes(values, info: info).sorted(by: { $0.key < $1.key }) {
            let field = JournaldDestination.fieldName(name)
            if !field.isEmpty { fields.append("\(field)=\(value)") }
        }
        var configuration = LogConfiguration(driver: .journald, maximumSize: 20 << 20, maximumFiles: 5,
                                             journald: JournaldDestination(fields: fields))
        try applyCacheOptions(values, driver: "journald", to: &configuration)
        return configuration
    }

    /// The fluentd driver: its receiver and Docker's options of its client, the tag, the extra
    /// fields from labels and environment, and the dual-logging cache as syslog's.
    private static func fluentd(_ values: [String: String], info: LoggerInfo) throws -> LogConfiguration {
        try checkKeys(values, driver: "fluentd", known: fluentdKeys)
        let address = try FluentdDestination.parseAddress(values["fluentd-address"] ?? "")
        var destination = FluentdDestination(address: address, tag: try resolveTag(values["tag"] ?? "{{.ID}}", info),
                                             containerID: info.id, containerName: "/" + info.name)
        if let text = values["fluentd-buffer-limit"], !text.isEmpty {
            guard let limit = try? HumanUnits.ramInBytes(text) else {
                throw CellError(.setup, "logger: invalid fluentd-buffer-limit '\(text)' (a number of events, as 8192 or 8k)")
            }
            // A 0 is Docker's client's own default, as for the retries and their wait.
            destination.bufferLimit = limit == 0 ? 8192 : Int(min(limit, Int64(Int32.max)))
        }
        if let text = values["fluentd-retry-wait"], !text.isEmpty {
            guard let wait = GoDuration.parse(text), wait >= .zero else {
                throw CellError(.setup, "logger: invalid fluentd-retry-wait '\(text)' (a duration, as 1s or 500ms)")
            }
            destination.retryWait = milliseconds(wait) == 0 ? 500 : milliseconds(wait)
        }
        if let text = values["fluentd-max-retries"], !text.isEmpty {
            guard let retries = UInt64(text) else { throw CellError(.setup, "logger: invalid fluentd-max-retries '\(text)'") }
            guard retries <= UInt64(Int32.max) else { throw CellError(.setup, "logger: invalid fluentd-max-retries: value out of range") }
            destination.maxRetries = retries == 0 ? 13 : Int(retries)
        }
        if let text = values["fluentd-write-timeout"], !text.isEmpty {
            guard let timeout = GoDuration.parse(text) else {
                throw CellError(.setup, "logger: invalid value for fluentd-write-timeout: value must be a duration")
            }
            guard timeout >= .zero else {
                throw CellError(.setup, "logger: invalid value for fluentd-write-timeout: value must be a duration that is non-negative")
            }
            destination.writeTimeout = milliseconds(timeout)
        }
        if let text = values["fluentd-async"], !text.isEmpty {
            destination.async = try FluentdDestination.parseBool(text, key: "fluentd-async")
        }
        if let text = values["fluentd-sub-second-precision"], !text.isEmpty {
            destination.subSecondPrecision = try FluentdDestination.parseBool(text, key: "fluentd-sub-second-precision")
        }
        destination.extraFields = try extraAttributes(values, info: info)
        var configuration = LogConfiguration(driver: .fluentd, maximumSize: 20 << 20, maximumFiles: 5, fluentd: destination)
        try applyCacheOptions(values, driver: "fluentd", to: &configuration)
        return configuration
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(min(seconds, Int64(Int32.max))) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// Docker's `labels`, `labels-regex`, `env` and `env-regex`: the container's labels and
    /// environment variables they name (a comma-separated list) or match (a regular
    /// expression, found anywhere in the name), by name.
    static func extraAttributes(_ values: [String: String], info: LoggerInfo) throws -> [String: String] {
        func pattern(_ key: String) throws -> Regex<AnyRegexOutput>? {
            guard let text = values[key], !text.isEmpty else { return nil }
            do { return try Regex(text) } catch { throw CellError(.setup, "logger: invalid \(key) '\(text)': \(error)") }
        }
        var extra: [String: String] = [:]
        for name in (values["labels"] ?? "").split(separator: ",").map(String.init) {
            if let value = info.labels[name] { extra[name] = value }
        }
        if let regex = try pattern("labels-regex") {
            for (name, value) in info.labels where name.contains(regex) { extra[name] = value }
        }
        var environment: [String: String] = [:]
        for entry in info.environment {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 { environment[String(parts[0])] = String(parts[1]) }
        }
        for name in (values["env"] ?? "").split(separator: ",").map(String.init) {
            if let value = environment[name] { extra[name] = value }
        }
        if let regex = try pattern("env-regex") {
            for (name, value) in environment where name.contains(regex) { extra[name] = value }
        }
        return extra
    }

    /// Docker's dual-logging cache options: the rotated json-file kept for `logs` (20 MB, 5
    /// files, unless `cache-max-*` say otherwise).
    private static func applyCacheOptions(_ values: [String: String], driver: String, to configuration: inout LogConfiguration) throws {
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
                throw CellError(.setup, "logger: cell's \(driver) log driver does not take '\(key)=\(value)' yet (false)")
            }
        }
    }

    /// Docker's `tag` template over the container's fields; the default is `{{.ID}}`.
    static func resolveTag(_ template: String, _ fields: LoggerInfo) throws -> String {
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
