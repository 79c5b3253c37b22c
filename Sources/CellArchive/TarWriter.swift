#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import CellCore

/// Writes a POSIX pax tar stream, optionally compressed, to a sink closure (which typically
/// hashes the bytes and writes them to a blob). Deterministic: the same entries and data give
/// the same bytes (no gzip timestamp, no atime/ctime, no pid in pax header names).
///
///     let writer = try TarWriter(compression: .gzip()) { bytes in try blob.writeAll(bytes) }
///     try writer.append(entry); try writer.writeData(buffer); try writer.finish()
public final class TarWriter {
    private let output: ArchiveOutput
    /// Reused for every header (archive_entry_clear) instead of an allocation per entry.
    private let scratchEntry: OpaquePointer
    private var currentPath: String?
    private var currentSize: Int64 = 0
    private var currentWritten: Int64 = 0
    private var finished = false

    /// Total bytes of file data written (not counting headers or compression).
    public private(set) var dataBytesWritten: Int64 = 0

    public init(compression: OutputCompression = .none, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        // Full pax rather than restricted: it records sub-second mtimes.
        output = try ArchiveOutput(compression: compression, sink: sink) { archive_write_set_format_pax($0) }
        guard let entry = archive_entry_new() else { throw CellError.system("write tar: out of memory") }
        scratchEntry = entry
    }

    deinit {
        archive_entry_free(scratchEntry)
    }

    /// Writes the header of `entry`; a regular file's `size` bytes must follow via `writeData`.
    public func append(_ entry: TarEntry) throws {
        try requireOpen()
        try completeCurrentEntry()
        archive_entry_clear(scratchEntry)
        entry.fill(archiveEntry: scratchEntry)
        try output.check(archive_write_header(output.archive, scratchEntry), "write tar entry \"\(entry.path)\"")
        currentPath = entry.path
        currentSize = entry.kind == .regular ? entry.size : 0
        currentWritten = 0
    }

    /// Writes data of the current regular file; more than its declared size is an error.
    public func writeData(_ buffer: UnsafeRawBufferPointer) throws {
        try requireOpen()
        guard let path = currentPath else { throw CellError.usage("tar data written before any entry") }
        guard Int64(buffer.count) <= currentSize - currentWritten else {
            throw CellError.invalidInput("tar entry \"\(path)\" was given more than its \(currentSize) bytes")
        }
        try output.writeData(buffer, "write data of tar entry \"\(path)\"")
        currentWritten += Int64(buffer.count)
        dataBytesWritten += Int64(buffer.count)
    }

    public func writeData(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeData($0) }
    }

    /// Ends the archive (two zero blocks and the compressor's trailer) and flushes to the sink.
    public func finish() throws {
        try requireOpen()
        try completeCurrentEntry()
        finished = true
        try output.close()
    }

    private func requireOpen() throws {
        if finished { throw CellError.usage("tar writer used after finish") }
    }

    /// libarchive would pad a short file with zeros silently; a short file is a bug or a file
    /// that shrank while being read, and either must not produce a wrong layer.
    private func completeCurrentEntry() throws {
        guard let path = currentPath else { return }
        if currentWritten != currentSize {
            throw CellError.invalidInput("tar entry \"\(path)\" was given \(currentWritten) of its \(currentSize) bytes")
        }
        currentPath = nil
    }
}
