import CellCore

/// Path normalization for layer entries: a stored path becomes components relative to the
/// extraction root, or is refused when it climbs out of it.
enum LayerPath {
    /// "/a/./b//c/" → ["a", "b", "c"]; "a/../b" → ["b"]; "../x" throws. "" and "/" are the root
    /// (no components). Leading "/" is dropped: an absolute path is contained, not honoured.
    static func components(of path: String, entry: String) throws -> [String] {
        var components: [String] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !components.isEmpty else {
                    throw CellError.invalidInput("layer entry \"\(entry)\" escapes the root")
                }
                components.removeLast()
            default:
                components.append(String(part))
            }
        }
        return components
    }
}

/// Entry paths as cell stores them in layers it writes: relative, clean, never escaping.
public enum ArchivePath {
    /// "/a/./b/" → "a/b"; nil for the root itself; throws for a path that climbs out with "..".
    public static func normalized(_ path: String) throws -> String? {
        let components = try LayerPath.components(of: path, entry: path)
        return components.isEmpty ? nil : components.joined(separator: "/")
    }
}
