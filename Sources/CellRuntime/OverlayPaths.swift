/// Paths as overlayfs reads them in its options (mount data and fsconfig alike): ':' separates
/// lower directories, ',' options, and a backslash escapes both and itself.
public enum OverlayPaths {
    public static func escaped(_ path: String) -> String {
        var result = ""
        for character in path {
            if character == ":" || character == "," || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result
    }

    /// lowerdir's value: the directories given top first, each escaped.
    public static func lowerDirectories(_ topFirst: [String]) -> String {
        topFirst.map(escaped).joined(separator: ":")
    }

    /// The mount data of a writable overlay: lowerdir (top first), upperdir and workdir.
    public static func mountOptions(lower topFirst: [String], upper: String, work: String) -> String {
        "lowerdir=\(lowerDirectories(topFirst)),upperdir=\(escaped(upper)),workdir=\(escaped(work))"
    }
}
