#if canImport(Glibc)
import Glibc
#endif

/// Where cell's settings live: /etc/cell, or `$CELL_CONFIG_DIR` (a user's own settings, the
/// tests' private ones). Each setting has a file of its own there, in the words of Docker's
/// daemon.json so that a user can copy them.
public enum ConfigurationDirectory {
    public static let standard = "/etc/cell"

    public static var current: String {
        getenv("CELL_CONFIG_DIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? standard
    }
}
