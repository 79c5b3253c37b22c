import CellContainers
import CellFormat

/// `GET /exec/{id}/json` as Docker's daemon shapes it (moby's ExecInspectResponse): ExitCode null
/// until the process has ended, Pid 0 until it has started.
public enum ExecInspection {
    public static func json(_ record: ExecRecord) -> JSONValue {
        .object([
            ("ID", .string(record.id)),
            ("Running", .bool(record.running)),
            ("ExitCode", record.running ? .null : record.exitCode.map { .int($0) } ?? .null),
            ("ProcessConfig", .object([
                ("tty", .bool(record.tty)),
                ("entrypoint", .string(record.arguments.first ?? "")),
                ("arguments", .strings(Array(record.arguments.dropFirst()))),
                ("privileged", .bool(record.privileged)),
                ("user", .string(record.user)),
            ])),
            ("OpenStdin", .bool(record.attachStdin)),
            ("OpenStderr", .bool(record.attachStderr)),
            ("OpenStdout", .bool(record.attachStdout)),
            ("CanRemove", .bool(false)),
            ("ContainerID", .string(record.containerID)),
            ("DetachKeys", .string(record.detachKeys)),
            ("Pid", .int(record.pid)),
        ])
    }
}
