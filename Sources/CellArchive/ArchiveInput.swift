#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import CellCore

/// A libarchive read handle on a file descriptor, shared by TarReader and RawStreamReader.
/// Every filter libarchive knows is enabled, so the caller never says how a stream is compressed.
final class ArchiveInput {
    let archive: OpaquePointer
    /// How errors name the stream ("rootfs.tar", "stdin").
    let name: String
    /// Kept alive (and closed on deinit) when the input was opened by path.
    private let ownedFile: FileDescriptorHandle?

    /// Large reads: one syscall per 256 KiB instead of libarchive's default 10 KiB.
    private static let readBlockSize = 256 * 1024

    init(fileDescriptor: Int32, name: String, ownedFile: FileDescriptorHandle?, formats: (OpaquePointer) -> Void) throws {
        guard let archive = archive_read_new() else {
            throw CellError.system("read archive \(name): out of memory")
        }
        self.archive = archive
        self.name = name
        self.ownedFile = ownedFile
        archive_read_support_filter_all(archive)
        formats(archive)
        // archive_read_open_fd leaves the descriptor open on close: the caller owns it.
        // On failure deinit frees the handle.
        if archive_read_open_fd(archive, fileDescriptor, ArchiveInput.readBlockSize) != ARCHIVE_OK {
            throw ArchiveStatus.readFailure(archive, name: name)
        }
    }

    deinit {
        archive_read_free(archive)
    }

    /// Opens `path` ourselves (O_CLOEXEC, a clear error naming the file).
    static func openFile(_ path: String) throws -> FileDescriptorHandle {
        try FileDescriptorHandle(path: path, flags: O_RDONLY)
    }

    /// The next header, or nil at the end of the stream. ARCHIVE_RETRY (a damaged header that
    /// libarchive would skip to resynchronize) is an error: silently losing entries of a layer
    /// is worse than refusing it.
    func nextHeader() throws -> OpaquePointer? {
        var entry: OpaquePointer?
        switch archive_read_next_header(archive, &entry) {
        case ARCHIVE_OK, ARCHIVE_WARN: return entry
        case ARCHIVE_EOF: return nil
        default: throw ArchiveStatus.readFailure(archive, name: name)
        }
    }

    /// Copies up to `buffer.count` bytes of the current entry's data; 0 at its end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let n = archive_read_data(archive, base, buffer.count)
        if n >= 0 { return n }
        throw ArchiveStatus.readFailure(archive, name: name)
    }

    /// The next block of the current entry without copying: its offset in the file (sparse
    /// files have gaps) and bytes valid until the next call. Nil at the end of the entry.
    func nextBlock() throws -> (offset: Int64, bytes: UnsafeRawBufferPointer)? {
        var pointer: UnsafeRawPointer?
        var size = 0
        var offset: Int64 = 0
        switch archive_read_data_block(archive, &pointer, &size, &offset) {
        case ARCHIVE_OK, ARCHIVE_WARN:
            return (offset, UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : size))
        case ARCHIVE_EOF: return nil
        default: throw ArchiveStatus.readFailure(archive, name: name)
        }
    }

    func skipData() throws {
        let status = archive_read_data_skip(archive)
        if status != ARCHIVE_OK && status != ARCHIVE_WARN {
            throw ArchiveStatus.readFailure(archive, name: name)
        }
    }

    /// The outermost compression (libarchive numbers filters from the format outwards, the
    /// last being the identity "none" filter).
    var detectedCompression: Compression {
        let count = archive_filter_count(archive)
        guard count > 1 else { return .none }
        return Compression(filterCode: archive_filter_code(archive, 0))
    }
}
