import CellContainers
import CellCore
import CellFormat

/// docker's `Config` object of a container.
enum ContainerInspectionConfig {
    static func json(_ record: ContainerRecord) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("Hostname", .string(record.config.hostname)),
            ("Domainname", .string("")),
            ("User", .string(record.config.user)),
            ("AttachStdin", .bool(record.config.openStdin)),
            ("AttachStdout", .bool(true)),
            ("AttachStderr", .bool(true)),
        ]
        if !record.config.exposedPorts.isEmpty {
            pairs.append(("ExposedPorts", .object(record.config.exposedPorts.map { ($0, .object([])) })))
        }
        pairs += [
            ("Tty", .bool(record.config.tty)),
            ("OpenStdin", .bool(record.config.openStdin)),
            ("StdinOnce", .bool(record.config.stdinOnce ?? false)),
            ("Env", .strings(record.config.env)),
            ("Cmd", record.config.cmd.map { .strings($0) } ?? .null),
            ("Image", .string(record.image)),
            ("Volumes", record.config.volumes.isEmpty ? .null : .object(record.config.volumes.map { ($0, .object([])) })),
            ("WorkingDir", .string(record.config.workingDir)),
            ("Entrypoint", record.config.entrypoint.map { .strings($0) } ?? .null),
            ("OnBuild", .null),
            ("Labels", .object(record.config.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ]
        if let check = record.config.healthcheck {
            var fields: [(String, JSONValue)] = [("Test", check.test.map { .strings($0) } ?? .null)]
            for (key, value) in [("Interval", check.interval), ("Timeout", check.timeout), ("StartPeriod", check.startPeriod),
                                 ("StartInterval", check.startInterval)] {
                if let value, value != 0 { fields.append((key, .integer(value))) }
            }
            if let retries = check.retries, retries != 0 { fields.append(("Retries", .integer(Int64(retries)))) }
            pairs.insert(("Healthcheck", .object(fields)), at: pairs.firstIndex { $0.0 == "Image" } ?? pairs.count)
        }
        if let signal = record.config.stopSignal { pairs.append(("StopSignal", .string(signal))) }
        if let timeout = record.config.stopTimeout { pairs.append(("StopTimeout", .integer(Int64(timeout)))) }
        return .object(pairs)
    }
}
