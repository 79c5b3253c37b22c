#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import CellCore

/// Decompresses any byte stream (gzip, zstd, xz, bzip2 or none, detected from the bytes): for
/// hashing the uncompressed content of a layer blob (its diff_id) without knowing its format.
public final class RawStreamReader {
    private let input: ArchiveInput
    /// Whether the single "entry" of the raw format has been opened (lazily, on first read).
    private var state: State = .unopened

    private enum State { case unopened, open, finished }

    public convenience init(path: String) throws {
        let file = try ArchiveInput.openFile(path)
        try self.init(fileDescriptor: file.fd, name: path, ownedFile: file)
    }

    /// Reads from an open descriptor, which stays open and stays the caller's.
    public convenience init(fileDescriptor: Int32, name: String? = nil) throws {
        try self.init(fileDescriptor: fileDescriptor, name: name ?? TarReader.defaultName(fileDescriptor), ownedFile: nil)
    }

    private init(fileDescriptor: Int32, name: String, ownedFile: FileDescriptorHandle?) throws {
        input = try ArchiveInput(fileDescriptor: fileDescriptor, name: name, ownedFile: ownedFile) { archive in
            archive_read_support_format_raw(archive)
            // "raw" refuses an empty stream; "empty" accepts it as zero bytes.
            archive_read_support_format_empty(archive)
        }
    }

    /// Copies up to `buffer.count` uncompressed bytes; 0 at the end of the stream.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try openIfNeeded()
        guard state == .open else { return 0 }
        return try input.read(into: buffer)
    }

    /// What the stream was compressed with (reads the header first if needed).
    public var detectedCompression: Compression {
        get throws {
            try openIfNeeded()
            return input.detectedCompression
        }
    }

    private func openIfNeeded() throws {
        guard state == .unopened else { return }
        state = try input.nextHeader() == nil ? .finished : .open
    }
}
