#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import CellCore

/// A libarchive write handle whose bytes go to a Swift closure, shared by TarWriter and
/// StreamCompressor. An error thrown by the sink is kept and rethrown from the call that
/// triggered the write, instead of libarchive's generic "write failed".
final class ArchiveOutput {
    typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    let archive: OpaquePointer
    private let sink: Sink
    private var sinkError: (any Error)?
    private var closed = false
    /// Set when the output is dropped unfinished: the final flush must not reach the sink.
    private var abandoned = false

    /// Big blocks so the sink (hashing, writing) is called rarely and libarchive can pass large
    /// data writes straight through without copying them into its own buffer.
    static let blockSize = 1024 * 1024

    init(compression: OutputCompression, sink: @escaping Sink, format: (OpaquePointer) -> Int32) throws {
        guard let archive = archive_write_new() else {
            throw CellError.system("write archive: out of memory")
        }
        self.archive = archive
        self.sink = sink
        do {
            try configure(compression: compression, format: format)
        } catch {
            abandoned = true
            archive_write_free(archive)
            closed = true
            throw error
        }
    }

    deinit {
        if !closed { abandoned = true }
        archive_write_free(archive)
    }

    private func configure(compression: OutputCompression, format: (OpaquePointer) -> Int32) throws {
        try check(format(archive), "set the archive format")
        switch compression {
        case .none:
            break
        case .gzip(let level):
            try check(archive_write_add_filter_gzip(archive), "enable gzip")
            // No timestamp in the gzip header: the same content must give the same digest.
            try check(archive_write_set_filter_option(archive, "gzip", "timestamp", nil), "disable the gzip timestamp")
            if let level { try setLevel(level, filter: "gzip", range: 1...9) }
        case .zstd(let level):
            try check(archive_write_add_filter_zstd(archive), "enable zstd")
            if let level { try setLevel(level, filter: "zstd", range: 1...19) }
        }
        try check(archive_write_set_bytes_per_block(archive, Int32(ArchiveOutput.blockSize)), "set the block size")
        // No padding after the last byte: a padded gzip or zstd stream has trailing garbage.
        try check(archive_write_set_bytes_in_last_block(archive, 1), "set the last block size")
        let context = Unmanaged.passUnretained(self).toOpaque()
        let status = archive_write_open(archive, context, nil, { _, context, buffer, length in
            guard let context else { return -1 }
            return Unmanaged<ArchiveOutput>.fromOpaque(context).takeUnretainedValue().deliver(buffer, length)
        }, nil)
        try check(status, "open the output")
    }

    private func setLevel(_ level: Int, filter: String, range: ClosedRange<Int>) throws {
        guard range.contains(level) else {
            throw CellError.usage("\(filter) compression level \(level) is out of range \(range.lowerBound)-\(range.upperBound)")
        }
        try check(archive_write_set_filter_option(archive, filter, "compression-level", String(level)),
                  "set the \(filter) level")
    }

    /// libarchive's write callback: hands the bytes to the sink, remembering what it threw.
    private func deliver(_ buffer: UnsafeRawPointer?, _ length: Int) -> Int {
        if abandoned { return length }
        if sinkError != nil { return -1 }
        do {
            try sink(UnsafeRawBufferPointer(start: buffer, count: buffer == nil ? 0 : length))
            return length
        } catch {
            sinkError = error
            return -1
        }
    }

    /// Throws when `status` is a failure: the sink's own error if it caused it.
    func check(_ status: Int32, _ what: @autoclosure () -> String) throws {
        if status == ARCHIVE_OK || status == ARCHIVE_WARN { return }
        throw failure(what())
    }

    func failure(_ what: String) -> any Error {
        if let sinkError { return sinkError }
        return CellError.system("cannot \(what): \(ArchiveStatus.message(archive))")
    }

    /// Writes `buffer` as data of the current entry.
    func writeData(_ buffer: UnsafeRawBufferPointer, _ what: @autoclosure () -> String) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let written = archive_write_data(archive, base, buffer.count)
        if written < 0 || sinkError != nil { throw failure(what()) }
        if written != buffer.count {
            throw CellError.system("cannot \(what()): wrote \(written) of \(buffer.count) bytes")
        }
    }

    /// Flushes everything (compressor trailer included) to the sink.
    func close() throws {
        guard !closed else { return }
        closed = true
        let status = archive_write_close(archive)
        if status != ARCHIVE_OK || sinkError != nil { throw failure("finish the archive") }
    }
}
