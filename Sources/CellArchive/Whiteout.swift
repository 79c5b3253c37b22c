/// OCI whiteout names. In a layer tar, `dir/.wh.name` deletes `dir/name` of the layers below
/// and `dir/.wh..wh..opq` hides everything below in `dir`; in an overlay upperdir the same
/// facts are a 0/0 character device and the xattr trusted.overlay.opaque=y.
enum Whiteout {
    static let prefix = ".wh."
    static let opaqueMarker = ".wh..wh..opq"
    /// aufs metadata names (".wh..wh.plnk" and friends): never extracted.
    static let metadataPrefix = ".wh..wh."
    static let opaqueAttribute = "trusted.overlay.opaque"
    /// Overlay's private attributes: a layer tar must not forge them (redirects, metacopy).
    static let overlayAttributePrefix = "trusted.overlay."

    enum Meaning: Equatable {
        /// Not a whiteout.
        case none
        /// Delete `name` in the entry's directory.
        case remove(name: String)
        /// Hide everything below in the entry's directory.
        case opaque
        /// aufs metadata: skip.
        case ignore
    }

    /// What a final path component means.
    static func meaning(of name: String) -> Meaning {
        guard name.hasPrefix(prefix) else { return .none }
        if name == opaqueMarker { return .opaque }
        if name.hasPrefix(metadataPrefix) { return .ignore }
        return .remove(name: String(name.dropFirst(prefix.count)))
    }
}
