import CellCore
import CellFormat

/// The log driver and options of containers made without `--log-driver`, as Docker's daemon.json
/// sets them, in `$CELL_CONFIG_DIR/logging.json` (/etc/cell by default):
///
///     { "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "3" } }
///
/// As in Docker: the options apply to containers of that driver (a `--log-opt` wins over its
/// key); a container given another driver takes none of them. A missing file is Docker's
/// default (json-file, no options); an unreadable one or an unknown key is an error, since a
/// mistyped key would otherwise leave logs unbounded without a word.
public struct LogDefaults: Equatable, Sendable {
    public static let fileName = "logging.json"

    public var driver: String
    public var options: [String: String]

    public init(driver: String = "json-file", options: [String: String] = [:]) {
        self.driver = driver
        self.options = options
    }

    /// This process's defaults, read once.
    public static func current() throws -> LogDefaults { try loaded.get() }

    private static let loaded: Result<LogDefaults, CellError> = Result {
        try LogDefaults(reading: ConfigurationDirectory.current)
    }.mapError { ($0 as? CellError) ?? CellError(.system, "\($0)") }

    public init(reading directory: String) throws {
        self.init()
        guard let (path, pairs) = try SettingsFile.read(LogDefaults.fileName, in: directory) else { return }
        for (key, value) in pairs {
            switch key {
            case "log-driver":
                guard let name = value.stringValue, !name.isEmpty else { throw CellError.invalidInput("\(path): log-driver must be a name") }
                driver = name
            case "log-opts":
                guard let fields = value.objectValue else { throw CellError.invalidInput("\(path): log-opts must be an object of strings") }
                for (option, text) in fields {
                    guard let text = text.stringValue else { throw CellError.invalidInput("\(path): log-opts \(option) must be a string") }
                    options[option] = text
                }
            default:
                throw CellError.invalidInput("\(path): unknown key \(key) (log-driver, log-opts)")
            }
        }
    }

    /// The driver and `--log-opt` words of a container given `driver` (nil: none given) and
    /// `options` on its command line.
    public func resolve(driver requestedDriver: String?, options requestedOptions: [String]) -> (driver: String, options: [String]) {
        let driver = requestedDriver ?? self.driver
        guard driver == self.driver, !options.isEmpty else { return (driver, requestedOptions) }
        let named = Set(requestedOptions.map { $0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? $0 })
        let inherited = options.keys.sorted().filter { !named.contains($0) }.map { "\($0)=\(options[$0]!)" }
        return (driver, inherited + requestedOptions)
    }
}
