#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// Appends a container's output to its log in Docker's json-file format, one JSON object per
/// line: {"log":"text\n","stream":"stdout","time":"2024-05-01T10:20:30.123456789Z"}.
/// Output is cut at newlines; a line longer than 16 KiB is written in pieces without the
/// trailing "\n", as Docker does, and so is a last line without a newline.
public final class ContainerLogWriter {
    public enum Stream: String, Sendable { case stdout, stderr }

    public static let maximumLineLength = 16 * 1024
    public let path: String
    private var handle: FileDescriptorHandle?
    private var pending: [Stream: [UInt8]] = [:]
    private let clock: () -> Timestamp
    private let configuration: LogConfiguration
    private var size: Int64 = 0
    /// Encoded lines gathered for one write: room for a longest line escaped at its worst, and
    /// more, so a chunk of short lines is one write.
    private static let outputCapacity = 8 * maximumLineLength * JSONStringEscaper.maximumExpansion / 4
    private let output = UnsafeMutablePointer<UInt8>.allocate(capacity: outputCapacity)
    private var outputCount = 0
    /// Output that could not be written (bytes, and why) since the last write that worked.
    private var lost: (bytes: Int, reason: String)?
    /// The compression of the file rotated last, while it runs.
    private var compression: BackgroundThread?
    /// A remote driver's receiver (syslog, fluentd): every line goes there too (the file is then
    /// `logs`'s cache).
    public var forwarder: (any LogLineForwarder)?

    /// `configuration`'s `none` writes nothing; a maximum size rotates the file as Docker's
    /// json-file does: `path` becomes `path.1` (and so on, up to the files kept), a new `path` begins.
    public init(path: String, configuration: LogConfiguration = .standard, clock: @escaping () -> Timestamp = Timestamp.now) throws {
        self.path = path
        self.clock = clock
        self.configuration = configuration
        guard configuration.driver != .none else { return }
        let opened = try FileDescriptorHandle(path: path, flags: O_WRONLY | O_APPEND | O_CREAT, mode: 0o640)
        var st = stat()
        if fstat(opened.fd, &st) == 0 { size = Int64(st.st_size) }
        handle = opened
    }

    deinit {
        compression?.join()
        output.deallocate()
    }

    /// Whole lines or nothing: a write that fails (a full disk) is cut back off the file, and
    /// what it held is counted as lost; the first write that works again is preceded by a
    /// line on stderr saying how much was lost and why, so `logs` shows the gap.
    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let handle else { return }
        if let lost {
            let notice = ContainerLogWriter.entry(Array("cell: \(lost.bytes) bytes of the container's output could not be logged: \(lost.reason)\n".utf8)[...],
                                                  stream: .stderr, time: clock())
            do {
                try notice.withUnsafeBytes { try appendWhole($0, to: handle) }
                self.lost = nil
            } catch {
                self.lost?.bytes += bytes.count
                throw error
            }
        }
        do {
            try appendWhole(bytes, to: handle)
        } catch {
            lost = ((lost?.bytes ?? 0) + bytes.count, (error as? CellError)?.message ?? "\(error)")
            throw error
        }
        if let limit = configuration.maximumSize, size >= limit { try rotate() }
    }

    /// The file's end is asked each time (one lseek a write of up to 192 KiB): the size stays
    /// true even when someone truncated the file to free space.
    private func appendWhole(_ bytes: UnsafeRawBufferPointer, to handle: FileDescriptorHandle) throws {
        let end = lseek(handle.fd, 0, SEEK_END)
        do {
            try handle.writeAll(bytes)
            if end >= 0 { size = Int64(end) }
            size += Int64(bytes.count)
        } catch {
            if end >= 0 { _ = ftruncate(handle.fd, end) }
            throw error
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Writes what is gathered in `output`.
    private func flushOutput() throws {
        guard outputCount > 0 else { return }
        let count = outputCount
        outputCount = 0
        try write(UnsafeRawBufferPointer(start: output, count: count))
    }

    /// As Docker's json-file rotates: path.1 (path.1.gz with `compress`) becomes path.2 and so
    /// on, the oldest goes, and the current file becomes path.1, compressed beside the monitor's
    /// loop (the next rotation waits for it).
    private func rotate() throws {
        if configuration.maximumFiles <= 1 {
            // One file kept: it starts over.
            _ = ftruncate(handle!.fd, 0)
            size = 0
            return
        }
        compression?.join()
        compression = nil
        let rotated = (1..<configuration.maximumFiles).map { "\(path).\($0)" + (configuration.compress ? ".gz" : "") }
        unlink(rotated[rotated.count - 1])
        for index in stride(from: rotated.count - 1, to: 0, by: -1) {
            rename(rotated[index - 1], rotated[index])
        }
        rename(path, "\(path).1")
        try handle?.close()
        handle = try FileDescriptorHandle(path: path, flags: O_WRONLY | O_APPEND | O_CREAT, mode: 0o640)
        size = 0
        if configuration.compress {
            let source = "\(path).1"
            // A file that cannot be compressed stays as it is: `logs` reads both forms.
            compression = BackgroundThread { try? GzipFile.compress(source, to: source + ".gz") }
        }
    }

    /// Waits for a rotated file's compression (the monitor does before it exits).
    public func close() {
        compression?.join()
        compression = nil
    }

    /// Room in `output` for one line of `length` input bytes, escaped, with its prefix and suffix.
    /// A write that fails inside a chunk is counted as lost (`write` keeps the count) and the
    /// chunk goes on, so that the lines after it are tried, and counted if they fail too.
    private func reserve(line length: Int, suffix: Int) {
        let needed = 8 + length * JSONStringEscaper.maximumExpansion + suffix
        if outputCount + needed > ContainerLogWriter.outputCapacity { try? flushOutput() }
    }

    private func appendToOutput(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        (output + outputCount).update(from: base, count: bytes.count)
        outputCount += bytes.count
    }

    /// Takes a chunk read from the container; writes every complete line. Lines of one chunk
    /// share its time (they arrived together): the time is formatted once per chunk, not per line.
    public func append(_ bytes: ArraySlice<UInt8>, stream: Stream) throws {
        guard handle != nil else { return }
        var carried = pending[stream] ?? []
        pending[stream] = nil
        let time = clock()
        let suffix = ContainerLogWriter.suffix(stream: stream, time: time)
        bytes.withUnsafeBufferPointer { input in
            guard let base = input.baseAddress else { return }
            var start = 0
            while start < input.count {
                // The next line ends at a newline or where the line would grow past the maximum.
                let room = ContainerLogWriter.maximumLineLength - carried.count
                let limit = min(input.count, start + room)
                let found = memchr(base + start, 0x0a, limit - start).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base }
                guard let newline = found ?? (limit - start == room ? limit - 1 : nil) else {
                    carried += UnsafeBufferPointer(rebasing: input[start...])
                    break
                }
                let line = UnsafeBufferPointer(rebasing: input[start...newline])
                if let forwarder {
                    let complete = input[newline] == 0x0a
                    let end = complete ? newline : newline + 1
                    let text = carried.isEmpty ? Array(input[start..<end])[...] : (carried + input[start..<end])[...]
                    forwarder.forward(text, stream: stream, complete: complete, time: time)
                }
                reserve(line: carried.count + line.count, suffix: suffix.count)
                // `{"log":"`, eight bytes: one store (a global array would cost a lazy-init check a line).
                UnsafeMutableRawPointer(output + outputCount).storeBytes(of: UInt64(0x223a_2267_6f6c_227b).littleEndian, as: UInt64.self)
                outputCount += 8
                if carried.isEmpty {
                    outputCount += JSONStringEscaper.escape(line, into: output + outputCount)
                } else {
                    // Escaped whole: a character cut by the chunk boundary is whole again here.
                    carried += line
                    outputCount += carried.withUnsafeBufferPointer { JSONStringEscaper.escape($0, into: output + outputCount) }
                    carried.removeAll(keepingCapacity: true)
                }
                suffix.withUnsafeBufferPointer { appendToOutput($0) }
                start = newline + 1
                // A rotating log rotates at the line that takes it past its size, as Docker's does.
                if let limit = configuration.maximumSize, size + Int64(outputCount) >= limit { try? flushOutput() }
            }
        }
        if !carried.isEmpty { pending[stream] = carried }
        try flushOutput()
    }

    /// Writes what is left of a stream that ended without a newline.
    public func finish(_ stream: Stream) throws {
        guard let rest = pending[stream], !rest.isEmpty else { return }
        pending[stream] = []
        let time = clock()
        forwarder?.forward(rest[...], stream: stream, complete: false, time: time)
        try write(ContainerLogWriter.entry(rest[...], stream: stream, time: time))
    }

    /// One line of the log file, newline included.
    public static func entry(_ text: ArraySlice<UInt8>, stream: Stream, time: Timestamp) -> [UInt8] {
        var line = prefix
        appendEscaped(text, to: &line)
        line += suffix(stream: stream, time: time)
        return line
    }

    private static let prefix = Array("{\"log\":\"".utf8)

    private static func suffix(stream: Stream, time: Timestamp) -> [UInt8] {
        Array("\",\"stream\":\"\(stream.rawValue)\",\"time\":\"\(time.rfc3339Nano)\"}\n".utf8)
    }

    /// JSON string escaping as Go's encoding/json does it (see JSONStringEscaper).
    static func appendEscaped(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { input in
            let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, input.count * JSONStringEscaper.maximumExpansion))
            defer { scratch.deallocate() }
            let count = JSONStringEscaper.escape(input, into: scratch)
            output.append(contentsOf: UnsafeBufferPointer(start: scratch, count: count))
        }
    }
}
