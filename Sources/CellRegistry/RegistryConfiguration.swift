#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellFormat

/// cell's registry settings, in the words of Docker's daemon.json so that a user can copy them:
///
///     /etc/cell/registries.json
///     {
///         "insecure-registries": ["registry.lan:5000", "10.0.0.0/8"],
///         "registry-mirrors": ["https://mirror.lan"]
///     }
///
/// and, beside it, `certs.d/HOST:PORT/` with the CAs (`*.crt`) and client certificates
/// (`client.cert` + `client.key`) of registries (Docker's `/etc/docker/certs.d/` is read too).
/// `CELL_CONFIG_DIR` moves the folder (a user's own settings, the tests' private ones). A file
/// that is missing is no setting; one that cannot be read or names an unknown key is an error,
/// since a mistyped key would otherwise silently leave a registry insecure or unmirrored.
public struct RegistryConfiguration: Sendable {
    public static let defaultDirectory = ConfigurationDirectory.standard
    public static let fileName = "registries.json"

    /// The folder of registries.json and certs.d/.
    public var directory: String
    /// `host`, `host:port`, or an IPv4 CIDR: registries spoken to over TLS without verification,
    /// or plain HTTP, as Docker's daemon does for them.
    public var insecureRegistries: [String]
    /// `https://host[:port]` (or `http://`): where docker.io pulls are tried first, in order.
    public var mirrors: [String]

    public init(directory: String = defaultDirectory, insecureRegistries: [String] = [], mirrors: [String] = []) {
        self.directory = directory
        self.insecureRegistries = insecureRegistries
        self.mirrors = mirrors
    }

    /// The settings of this process: `$CELL_CONFIG_DIR/registries.json`, read once.
    public static func current() throws -> RegistryConfiguration {
        try loaded.get()
    }

    private static let loaded: Result<RegistryConfiguration, CellError> = Result {
        try RegistryConfiguration(reading: ConfigurationDirectory.current)
    }.mapError { ($0 as? CellError) ?? CellError(.system, "\($0)") }

    /// Reads `directory/registries.json` (none: the defaults).
    public init(reading directory: String) throws {
        self.init(directory: directory)
        guard let (path, pairs) = try SettingsFile.read(RegistryConfiguration.fileName, in: directory) else { return }
        func strings(_ key: String, _ value: JSONValue) throws -> [String] {
            guard let items = value.arrayValue?.compactMap(\.stringValue), items.count == value.arrayValue?.count else {
                throw CellError.invalidInput("\(path): \(key) must be a list of strings")
            }
            return items
        }
        for (key, value) in pairs {
            switch key {
            case "insecure-registries":
                insecureRegistries = try strings(key, value)
                for entry in insecureRegistries where entry.contains("://") {
                    throw CellError.invalidInput("\(path): insecure registry \(entry) should not contain '://'")
                }
            case "registry-mirrors":
                mirrors = try strings(key, value).map { try RegistryConfiguration.mirror($0, in: path) }
            default:
                throw CellError.invalidInput("\(path): unknown key \(GoQuote.quote(key)) (cell reads insecure-registries and registry-mirrors)")
            }
        }
    }

    /// A mirror as Docker takes one: an http(s) URL with no path; kept without its final slash.
    static func mirror(_ text: String, in path: String) throws -> String {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard trimmed.hasPrefix("https://") || trimmed.hasPrefix("http://") else {
            throw CellError.invalidInput("\(path): invalid mirror: unsupported scheme in \(GoQuote.quote(text)): must use either 'https' or 'http'")
        }
        let host = trimmed.drop { $0 != ":" }.dropFirst(3)
        guard !host.isEmpty, !host.contains("/"), !host.contains("?"), !host.contains("#"), !host.contains("@") else {
            throw CellError.invalidInput("\(path): invalid mirror: \(GoQuote.quote(text)) must be a scheme and a host, with no path, query or user")
        }
        return trimmed
    }

    /// Whether `host` (`name` or `name:port`, as image references write it) was named insecure.
    public func isInsecure(_ host: String) -> Bool {
        let name = RegistryHost.name(of: host)
        for entry in insecureRegistries {
            if entry == host || entry == name { return true }
            if entry.contains("/"), let address = IPv4Address(name), let network = IPv4Network(entry), network.contains(address) {
                return true
            }
        }
        return false
    }

    /// The certs.d folders that may hold `host`'s certificates, cell's first.
    public func certificateDirectories(for host: String) -> [String] {
        ["\(directory)/certs.d/\(host)", "/etc/docker/certs.d/\(host)"]
    }
}
