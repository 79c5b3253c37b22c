#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CellCore

/// Applies `--change`/`-c` instructions (`CMD ["sh"]`, `ENV PATH=/bin`, `EXPOSE 80`, ...) to an
/// image's runtime config, as `docker import -c` and `docker commit -c` do.
public enum ConfigChange {
    public static let supported = ["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER", "VOLUME", "WORKDIR", "STOPSIGNAL"]

    public static func apply(_ change: String, to config: inout ContainerConfig) throws {
        let trimmed = change.trimmedWhitespace
        let keyword = String(trimmed.prefix { !$0.isWhitespace })
        let rest = trimmed.dropFirst(keyword.count).trimmedWhitespace
        switch keyword.uppercased() {
        case "CMD":
            config.cmd = commandForm(rest)
        case "ENTRYPOINT":
            config.entrypoint = commandForm(rest)
        case "ENV":
            for (key, value) in try keyValues(rest, instruction: "ENV") {
                var env = (config.env ?? []).filter { !$0.hasPrefix(key + "=") }
                env.append("\(key)=\(value)")
                config.env = env
            }
        case "LABEL":
            for (key, value) in try keyValues(rest, instruction: "LABEL") {
                config.labels = (config.labels ?? [:]).merging([key: value]) { $1 }
            }
        case "EXPOSE":
            for port in words(rest) {
                let key = port.contains("/") ? port.lowercased() : "\(port)/tcp"
                config.exposedPorts = (config.exposedPorts ?? [:]).merging([key: EmptyObject()]) { $1 }
            }
        case "VOLUME":
            for volume in jsonArray(rest) ?? words(rest) {
                config.volumes = (config.volumes ?? [:]).merging([volume: EmptyObject()]) { $1 }
            }
        case "USER":
            config.user = rest
        case "WORKDIR":
            config.workingDir = rest
        case "STOPSIGNAL":
            config.stopSignal = rest
        case "ONBUILD":
            config.onBuild = (config.onBuild ?? []) + [rest]
        default:
            throw CellError.usage("\(keyword) is not a valid change command")
        }
        // A JSON form's "\u0000" is the one way a NUL reaches here from a command line.
        try config.checkForNULBytes(kind: .setup)
    }

    /// JSON form as is; shell form runs under /bin/sh -c.
    static func commandForm(_ text: String) -> [String] {
        jsonArray(text) ?? ["/bin/sh", "-c", text]
    }

    static func jsonArray(_ text: String) -> [String]? {
        guard text.hasPrefix("[") else { return nil }
        return try? JSONDecoder().decode([String].self, from: Data(text.utf8))
    }

    /// `K=V K2="v 2"` or the legacy `K V`.
    static func keyValues(_ text: String, instruction: String) throws -> [(String, String)] {
        let parts = words(text)
        guard !parts.isEmpty else { throw CellError.usage("\(instruction) requires at least one argument") }
        if !parts[0].contains("=") {
            let value = text.dropFirst(parts[0].count).trimmedWhitespace
            return [(parts[0], value)]
        }
        return try parts.map { part in
            guard let equals = part.firstIndex(of: "="), equals != part.startIndex else {
                throw CellError.usage("\(instruction) names can not be blank: \(part)")
            }
            return (String(part[..<equals]), String(part[part.index(after: equals)...]))
        }
    }

    /// Whitespace-separated words; double or single quotes group and are removed.
    static func words(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character.isWhitespace {
                if inWord { result.append(current); current = ""; inWord = false }
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { result.append(current) }
        return result
    }
}
