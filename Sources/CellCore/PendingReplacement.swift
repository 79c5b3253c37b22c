#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file's new content, written beside it (and synced when `durable`) but not yet in its
/// place: `replace()` renames it over the file, `discard()` removes it. Splitting
/// `FileSystem.writeAtomically` in two lets its slow half, the fsync, run while the caller waits
/// for something else (the monitor writes a container's state while the container's process
/// builds its root, and puts it in place once that process runs).
public struct PendingReplacement: ~Copyable {
    public let path: String
    private let temporary: String
    private let durable: Bool

    public init(_ bytes: [UInt8], for path: String, mode: mode_t = 0o644, durable: Bool = true) throws {
        let temporary = FileSystem.temporaryName(besides: path)
        do {
            let handle = try FileDescriptorHandle(path: temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: mode)
            try handle.writeAll(bytes)
            if durable { try handle.sync() }
            try handle.close()
        } catch {
            unlink(temporary)
            throw error
        }
        self.path = path
        self.temporary = temporary
        self.durable = durable
    }

    /// After a crash the file holds its old content or the new one, never a mix; when
    /// `durable`, the new one once this returns.
    public consuming func replace() throws {
        do {
            try FileSystem.rename(temporary, to: path)
        } catch {
            unlink(temporary)
            throw error
        }
        if durable { try FileSystem.syncDirectory(FileSystem.dirname(of: path)) }
    }

    public consuming func discard() {
        unlink(temporary)
    }
}
