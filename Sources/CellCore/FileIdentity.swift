#if canImport(Glibc)
import Glibc
#endif

/// A file's identity as far as its content goes: device, inode, size and the nanosecond
/// modification and change times. Files the store replaces only by rename (records) or that a
/// cache keys by (context files, decoded records) hold the same bytes while it is the same.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    /// Nanoseconds since the epoch.
    public var modified: Int64
    public var changed: Int64

    public init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
    }

    /// The identity of the file at `path` (following symlinks); nil when it cannot be asked.
    public init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self.init(status)
    }

    /// Its five numbers as text fields, and back: for files that keep identities.
    public var fields: [String] { [String(device), String(inode), String(size), String(modified), String(changed)] }

    public init?(fields: [some StringProtocol]) {
        guard fields.count == 5, let device = UInt64(fields[0]), let inode = UInt64(fields[1]),
              let size = Int64(fields[2]), let modified = Int64(fields[3]), let changed = Int64(fields[4]) else { return nil }
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }
}
