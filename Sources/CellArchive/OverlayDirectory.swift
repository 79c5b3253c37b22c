/// Facts about an overlay upper directory that the builder needs.
public enum OverlayDirectory {
    /// Whether the directory at `path` is opaque (trusted.overlay.opaque=y): it hides what the
    /// layers below have in it, so even empty it is a change.
    public static func isOpaque(_ path: String) -> Bool {
        ExtendedAttributeCalls.get(path: path, name: Whiteout.opaqueAttribute) == Array("y".utf8)
    }
}
