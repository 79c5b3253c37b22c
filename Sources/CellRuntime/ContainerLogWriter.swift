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

    private func write(_ bytes: [UInt8]) throws {
        guard let handle else { return }
        try handle.writeAll(bytes)
        size += Int64(bytes.count)
        if let limit = configuration.maximumSize, size >= limit { try rotate() }
    }

    private func rotate() throws {
        let files = LogConfiguration.files(of: path, keeping: configuration.maximumFiles)
        if files.count == 1 {
            // One file kept: it starts over.
            _ = ftruncate(handle!.fd, 0)
            size = 0
            return
        }
        // Oldest first: each moves one older (path.1 to path.2, then path to path.1); the oldest goes.
        for index in 0..<(files.count - 1) {
            rename(files[index + 1], files[index])
        }
        try handle?.close()
        handle = try FileDescriptorHandle(path: path, flags: O_WRONLY | O_APPEND | O_CREAT, mode: 0o640)
        size = 0
    }

    /// Takes a chunk read from the container; writes every complete line. Lines of one chunk
    /// share its time (they arrived together): the time is formatted once per chunk, not per line.
    public func append(_ bytes: ArraySlice<UInt8>, stream: Stream) throws {
        guard handle != nil else { return }
        var carried = pending[stream] ?? []
        pending[stream] = nil
        let time = clock()
        let suffix = ContainerLogWriter.suffix(stream: stream, time: time)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 4 + 256)
        var start = bytes.startIndex
        while start < bytes.endIndex {
            // The next line ends at a newline or where the line would grow past the maximum.
            let room = ContainerLogWriter.maximumLineLength - carried.count
            let limit = min(bytes.endIndex, start + room)
            guard let newline = bytes[start..<limit].firstIndex(of: 0x0a) ?? (limit - start == room ? limit - 1 : nil) else {
                carried += bytes[start...]
                break
            }
            if let forwarder {
                let complete = bytes[newline] == 0x0a
                let end = complete ? newline : newline + 1
                forwarder.forward(carried.isEmpty ? bytes[start..<end] : (carried + bytes[start..<end])[...], stream: stream,
                                  complete: complete, time: time)
            }
            output += ContainerLogWriter.prefix
            if carried.isEmpty {
                ContainerLogWriter.appendEscaped(bytes[start...newline], to: &output)
            } else {
                // Escaped whole: a character cut by the chunk boundary is whole again here.
                carried += bytes[start...newline]
                ContainerLogWriter.appendEscaped(carried[...], to: &output)
                carried.removeAll(keepingCapacity: true)
            }
            output += suffix
            start = newline + 1
            // A rotating log rotates at the line that takes it past its size, as Docker's does.
            if let limit = configuration.maximumSize, size + Int64(output.count) >= limit {
                try write(output)
                output.removeAll(keepingCapacity: true)
            }
        }
        if !carried.isEmpty { pending[stream] = carried }
        if !output.isEmpty { try write(output) }
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

    /// What each ASCII byte becomes in a JSON string, as Go's encoding/json writes it: nil for
    /// itself; quotes, backslashes and control characters escaped, and <, > and & too.
    private static let asciiEscapes: [[UInt8]?] = (0..<128).map { (byte: Int) -> [UInt8]? in
        switch byte {
        case 0x22: return Array("\\\"".utf8)
        case 0x5c: return Array("\\\\".utf8)
        case 0x0a: return Array("\\n".utf8)
        case 0x0d: return Array("\\r".utf8)
        case 0x09: return Array("\\t".utf8)
        case 0x00..<0x20, 0x3c, 0x3e, 0x26:
            let hex = Array("0123456789abcdef".utf8)
            return Array("\\u00".utf8) + [hex[byte >> 4], hex[byte & 0xf]]
        default: return nil
        }
    }

    /// JSON string escaping as Go's encoding/json does it, byte by byte (a log is mostly
    /// ASCII, copied in runs): the ASCII escapes above, U+2028/2029 escaped, and each byte that
    /// is not part of valid UTF-8 written as U+FFFD.
    static func appendEscaped(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { input in
            let count = input.count
            var index = 0
            var runStart = 0
            func flushRun(to end: Int) {
                if end > runStart { output.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<end])) }
            }
            while index < count {
                let byte = input[index]
                if byte < 0x80 {
                    if let escape = asciiEscapes[Int(byte)] {
                        flushRun(to: index)
                        output += escape
                        runStart = index + 1
                    }
                    index += 1
                    continue
                }
                let length = validSequenceLength(input, at: index)
                if length == 0 {
                    flushRun(to: index)
                    output += [0xef, 0xbf, 0xbd]
                    index += 1
                    runStart = index
                } else if length == 3 && byte == 0xe2 && input[index + 1] == 0x80 && (input[index + 2] == 0xa8 || input[index + 2] == 0xa9) {
                    flushRun(to: index)
                    output += Array((input[index + 2] == 0xa8 ? "\\u2028" : "\\u2029").utf8)
                    index += 3
                    runStart = index
                } else {
                    index += length
                }
            }
            flushRun(to: count)
        }
    }

    /// The length of the valid UTF-8 sequence that starts at `index` (RFC 3629: no overlong
    /// forms, no surrogates, nothing past U+10FFFF); 0 when there is none.
    private static func validSequenceLength(_ input: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let lead = input[index]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xbf
        switch lead {
        case 0xc2...0xdf: length = 2
        case 0xe0: length = 3; low = 0xa0
        case 0xe1...0xec, 0xee...0xef: length = 3
        case 0xed: length = 3; high = 0x9f
        case 0xf0: length = 4; low = 0x90
        case 0xf1...0xf3: length = 4
        case 0xf4: length = 4; high = 0x8f
        default: return 0
        }
        guard index + length <= input.count else { return 0 }
        let second = input[index + 1]
        guard second >= low && second <= high else { return 0 }
        for offset in 2..<length where input[index + offset] & 0xc0 != 0x80 { return 0 }
        return length
    }
}
