import CellCore

/// What an extraction did.
public struct LayerExtractionResult: Equatable, Sendable {
    /// Entries created or updated (whiteouts and skipped entries not included).
    public var entriesExtracted = 0
    /// Bytes of regular-file data written.
    public var bytesWritten: Int64 = 0
    /// Device nodes (other than overlay's 0/0 whiteout) and sockets, which are never created.
    public var devicesSkipped = 0
    /// Whiteouts and opaque markers applied (converted or deleted).
    public var whiteoutsApplied = 0
    /// Extended attributes not set: overlay's private trusted.overlay.* ones (a tar must not
    /// forge them) and those the file system does not support.
    public var extendedAttributesSkipped = 0

    public init() {}
}

/// Extracts a layer tar into a directory, treating the tar as hostile: nothing is ever
/// created, changed or linked outside the directory, and no symlink is followed.
///
/// Entry paths are normalized ("/", "./" and "." dropped, ".." resolved) and refused when they
/// climb out; every parent is opened component by component with O_NOFOLLOW from the root's
/// descriptor (a symlink on the way is refused); files are created with O_EXCL|O_NOFOLLOW;
/// hardlink targets go through the same checks. Device nodes are skipped. Ownership, modes,
/// setuid bits, nanosecond mtimes and xattrs (security.capability too) are preserved, which
/// needs root.
public struct LayerExtractor: Sendable {
    /// What the OCI whiteouts of a tar (`.wh.name`, `.wh..wh..opq`) become.
    public enum WhiteoutHandling: Sendable, Equatable {
        /// What overlay understands (for a lowerdir): `.wh.name` → a 0/0 character device
        /// `name`, `.wh..wh..opq` → trusted.overlay.opaque=y on the directory.
        case overlay
        /// Deletions from the directory (for flattening layers into one tree).
        case apply
        /// Nothing: they are files like any other, for a tar that is no layer (a build context,
        /// `cp`'s archive, ADD's, an image archive being loaded), as Docker's Untar keeps them.
        case keptAsFiles
    }

    public var whiteouts: WhiteoutHandling
    /// The most the regular files may add up to, by their declared sizes (a sparse file's holes
    /// count): past it the extraction stops with an error. For a tar from a client, whose few
    /// compressed bytes could otherwise unpack to fill the disk.
    public var sizeLimit: Int64?

    public init(whiteouts: WhiteoutHandling = .overlay, sizeLimit: Int64? = nil) {
        self.whiteouts = whiteouts
        self.sizeLimit = sizeLimit
    }

    /// Extracts every entry of `reader` into `directory` (created if missing).
    @discardableResult
    public func extract(_ reader: TarReader, into directory: String) throws -> LayerExtractionResult {
        let session = try ExtractionSession(
            reader: reader, root: RootedDirectory(path: directory), whiteouts: whiteouts, sizeLimit: sizeLimit)
        return try session.run()
    }
}
