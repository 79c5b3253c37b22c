#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime

/// The environment a container starts with, composed as docker does: the image's Env, PATH if
/// the image has none, HOSTNAME, TERM for a tty, then --env-file and -e (later wins). `-e NAME`
/// alone takes the value from cell's own environment, and is dropped when that is unset.
public enum ContainerEnvironment {
    public static func compose(image: [String], hostname: String, tty: Bool, files: [String],
                                overrides: [String]) throws -> [String] {
        var result: [String] = []
        func set(_ entry: String) {
            let key = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
            result.removeAll { $0 == key || $0.hasPrefix(key + "=") }
            result.append(entry)
        }
        if !image.contains(where: { $0.hasPrefix("PATH=") }) { set("PATH=\(ContainerSpec.defaultPath)") }
        set("HOSTNAME=\(hostname)")
        if tty { set("TERM=xterm") }
        image.forEach(set)
        for entry in try entries(fromFiles: files) { try apply(entry, set: set) }
        for entry in overrides { try apply(entry, set: set) }
        return result
    }

    /// `--env-file`: one NAME=value (or NAME alone) a line; blank lines and # comments skipped.
    public static func entries(fromFiles files: [String]) throws -> [String] {
        var result: [String] = []
        for file in files {
            guard let bytes = try FileSystem.readFileIfPresent(file) else {
                throw CellError(.setup, "open \(file): no such file or directory")
            }
            for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
                let trimmed = line.drop { $0 == " " || $0 == "\t" }
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                try NULByte.check(String(trimmed), as: "environment variable in \(file)")
                result.append(String(trimmed))
            }
        }
        return result
    }

    private static func apply(_ entry: String, set: (String) -> Void) throws {
        try NULByte.check(entry, as: "environment variable")
        if entry.hasPrefix("=") { throw CellError.usage("invalid environment variable: \(entry)") }
        if entry.contains("=") {
            set(entry)
        } else if let value = getenv(entry) {
            set("\(entry)=\(String(cString: value))")
        }
    }
}
