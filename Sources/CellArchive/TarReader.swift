#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import CellCore

/// Reads a tar stream, compressed or not (gzip, zstd, xz, bzip2 are detected from the bytes).
///
///     let reader = try TarReader(path: "rootfs.tar.gz")
///     while let entry = try reader.next() { ... reader.readData(into:) ... }
public final class TarReader {
    let input: ArchiveInput

    /// Opens the file at `path`; errors name it as given.
    public convenience init(path: String) throws {
        let file = try ArchiveInput.openFile(path)
        try self.init(fileDescriptor: file.fd, name: path, ownedFile: file)
    }

    /// Reads from an open descriptor (0 for stdin), which stays open and stays the caller's.
    public convenience init(fileDescriptor: Int32, name: String? = nil) throws {
        try self.init(fileDescriptor: fileDescriptor, name: name ?? Self.defaultName(fileDescriptor), ownedFile: nil)
    }

    private init(fileDescriptor: Int32, name: String, ownedFile: FileDescriptorHandle?) throws {
        input = try ArchiveInput(fileDescriptor: fileDescriptor, name: name, ownedFile: ownedFile) { archive in
            archive_read_support_format_tar(archive)
            // A zero-byte layer is an empty tar in practice.
            archive_read_support_format_empty(archive)
        }
    }

    static func defaultName(_ fd: Int32) -> String { fd == 0 ? "stdin" : "fd \(fd)" }

    /// The name errors use for this stream.
    public var name: String { input.name }

    /// The next entry's header, or nil at the end of the archive. Unread data of the previous
    /// entry is skipped.
    public func next() throws -> TarEntry? {
        guard let entry = try input.nextHeader() else { return nil }
        return try TarEntry(archiveEntry: entry, archiveName: input.name)
    }

    /// Copies the current entry's data; returns 0 at the end of it.
    public func readData(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try input.read(into: buffer)
    }

    public func skipData() throws {
        try input.skipData()
    }

    /// What the stream was compressed with; known once the first header has been read.
    public var detectedCompression: Compression { input.detectedCompression }
}
