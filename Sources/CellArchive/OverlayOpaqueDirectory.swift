import CellCore

/// Overlay's mark on an upper directory that was deleted and made again: the lower layers'
/// contents under it are hidden. Public for readers of an upper directory (`docker diff`).
public enum OverlayOpaqueDirectory {
    /// Whether the directory at `path` carries the mark; a link at `path` is not followed, so
    /// name it through its parent's descriptor (`/proc/self/fd/N/name`).
    public static func isOpaque(_ path: String) -> Bool {
        ExtendedAttributeCalls.get(path: path, name: Whiteout.opaqueAttribute) == [UInt8(ascii: "y")]
    }
}
