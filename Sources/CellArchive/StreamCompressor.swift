#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import CellCore

/// Compresses an arbitrary byte stream (not a tar) with gzip or zstd into a sink: libarchive's
/// "raw" format with one entry, so the bytes pass through the filter unchanged.
public final class StreamCompressor {
    private let output: ArchiveOutput
    private var finished = false

    public init(compression: OutputCompression, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        output = try ArchiveOutput(compression: compression, sink: sink) { archive_write_set_format_raw($0) }
        guard let entry = archive_entry_new() else { throw CellError.system("compress: out of memory") }
        defer { archive_entry_free(entry) }
        archive_entry_set_filetype(entry, S_IFREG)
        archive_entry_set_pathname(entry, "stream")
        try output.check(archive_write_header(output.archive, entry), "start the compressed stream")
    }

    public func write(_ buffer: UnsafeRawBufferPointer) throws {
        if finished { throw CellError.usage("stream compressor used after finish") }
        try output.writeData(buffer, "compress the stream")
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Writes the compressor's trailer and flushes to the sink.
    public func finish() throws {
        if finished { return }
        finished = true
        try output.close()
    }
}
