/// Where a container's output goes besides attached clients (`--log-driver`, `--log-opt`):
/// Docker's json-file (the default; `local` is kept in the same format here), optionally
/// rotated (`max-size`, `max-file`), nowhere (`none`, and `logs` then has nothing to read), or
/// to syslog or fluentd, with a rotated json-file kept for `logs` as Docker's dual logging keeps
/// its cache.
public struct LogConfiguration: Equatable, Sendable {
    public enum Driver: String, Sendable {
        case jsonFile = "json-file", local, none, syslog, fluentd
    }

    public var driver: Driver
    /// Rotate past this many bytes; nil: never.
    public var maximumSize: Int64?
    /// Files kept with rotation (the current one included).
    public var maximumFiles: Int
    /// The syslog driver's receiver.
    public var syslog: SyslogDestination?
    /// The fluentd driver's receiver.
    public var fluentd: FluentdDestination?

    public static let standard = LogConfiguration(driver: .jsonFile, maximumSize: nil, maximumFiles: 1)

    public init(driver: Driver, maximumSize: Int64?, maximumFiles: Int, syslog: SyslogDestination? = nil,
                fluentd: FluentdDestination? = nil) {
        self.driver = driver
        self.maximumSize = maximumSize
        self.maximumFiles = maximumFiles
        self.syslog = syslog
        self.fluentd = fluentd
    }

    /// The log's rotated files, oldest first, then the current one.
    public static func files(of path: String, keeping count: Int) -> [String] {
        (1..<max(count, 1)).reversed().map { "\(path).\($0)" } + [path]
    }
}
