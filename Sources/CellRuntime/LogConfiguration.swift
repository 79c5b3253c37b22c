/// Where a container's output goes besides attached clients (`--log-driver`, `--log-opt`):
/// Docker's json-file (the default; `local` is kept in the same format here), optionally
/// rotated (`max-size`, `max-file`), nowhere (`none`, and `logs` then has nothing to read), or
/// to syslog, fluentd or journald, with a rotated json-file kept for `logs` as Docker's dual logging keeps
/// its cache.
public struct LogConfiguration: Equatable, Sendable {
    public enum Driver: String, Sendable {
        case jsonFile = "json-file", local, none, syslog, fluentd, journald
    }

    public var driver: Driver
    /// Rotate past this many bytes; nil: never.
    public var maximumSize: Int64?
    /// Files kept with rotation (the current one included).
    public var maximumFiles: Int
    /// Rotated files are gzip-compressed (`path.1.gz`...), as json-file's `compress=true`.
    public var compress = false
    /// The syslog driver's receiver.
    public var syslog: SyslogDestination?
    /// The fluentd driver's receiver.
    public var fluentd: FluentdDestination?
    /// The journald driver's fields.
    public var journald: JournaldDestination?

    public static let standard = LogConfiguration(driver: .jsonFile, maximumSize: nil, maximumFiles: 1)

    public init(driver: Driver, maximumSize: Int64?, maximumFiles: Int, syslog: SyslogDestination? = nil,
                fluentd: FluentdDestination? = nil, journald: JournaldDestination? = nil) {
        self.driver = driver
        self.maximumSize = maximumSize
        self.maximumFiles = maximumFiles
        self.syslog = syslog
        self.fluentd = fluentd
        self.journald = journald
    }
}
