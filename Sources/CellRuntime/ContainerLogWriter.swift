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

    /// Takes a chunk read from the container; writes every complete line.
    public func append(_ bytes: ArraySlice<UInt8>, stream: Stream) throws {
        var buffer = pending[stream, default: []]
        buffer.append(contentsOf: bytes)
        var start = 0
        var output: [UInt8] = []
        var index = 0
        while index < buffer.count {
            if buffer[index] == 0x0a || index - start + 1 >= ContainerLogWriter.maximumLineLength {
                output += ContainerLogWriter.entry(buffer[start...index], stream: stream, time: clock())
                start = index + 1
                // A rotating log rotates at the line that takes it past its size, as Docker's does.
                if let limit = configuration.maximumSize, size + Int64(output.count) >= limit {
                    try write(output)
                    output = []
                }
            }
            index += 1
        }
        pending[stream] = Array(buffer[start...])
        if !output.isEmpty { try write(output) }
    }

    /// Writes what is left of a stream that ended without a newline.
    public func finish(_ stream: Stream) throws {
        guard let rest = pending[stream], !rest.isEmpty else { return }
        pending[stream] = []
        try write(ContainerLogWriter.entry(rest[...], stream: stream, time: clock()))
    }

    /// One line of the log file, newline included.
    public static func entry(_ text: ArraySlice<UInt8>, stream: Stream, time: Timestamp) -> [UInt8] {
        var line = Array("{\"log\":\"".utf8)
        appendEscaped(text, to: &line)
        line += Array("\",\"stream\":\"\(stream.rawValue)\",\"time\":\"\(time.rfc3339Nano)\"}\n".utf8)
        return line
    }

    /// JSON string escaping as Go's encoding/json does it: quotes, backslashes and control
    /// characters, plus <, >, & and U+2028/2029; invalid UTF-8 becomes U+FFFD.
    static func appendEscaped(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            switch scalar.value {
            case 0x22: output += [0x5c, 0x22]
            case 0x5c: output += [0x5c, 0x5c]
            case 0x0a: output += [0x5c, 0x6e]
            case 0x0d: output += [0x5c, 0x72]
            case 0x09: output += [0x5c, 0x74]
            case 0x00..<0x20, 0x3c, 0x3e, 0x26, 0x2028, 0x2029:
                let value = Int(scalar.value)
                output += [0x5c, 0x75, hex[value >> 12 & 0xf], hex[value >> 8 & 0xf], hex[value >> 4 & 0xf], hex[value & 0xf]]
            default:
                output += Array(String(scalar).utf8)
            }
        }
    }
}
