/// Facts about an overlay upper directory, for its readers (the builder, commit, `docker diff`).
public enum OverlayDirectory {
    /// Whether the directory at `path` is opaque (trusted.overlay.opaque=y): deleted and made
    /// again, it hides what the layers below have in it, so even empty it is a change. A link
    /// at `path` is not followed: name it through its parent's descriptor
    /// (`/proc/self/fd/N/name`) where the tree is not ours.
    public static func isOpaque(_ path: String) -> Bool {
        ExtendedAttributeCalls.get(path: path, name: Whiteout.opaqueAttribute) == Array("y".utf8)
    }
}
