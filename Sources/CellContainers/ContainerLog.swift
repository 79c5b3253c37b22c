#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime

/// A container's json-file log (`{"log":"...","stream":"stdout","time":"..."}` per line), as the
/// monitor writes it.
public enum ContainerLog {
    public static func path(of container: Container) -> String { "\(container.directory)/container.log" }

    /// The `none` driver keeps nothing to read: Docker's words for it (the API answers them
    /// before its stream starts).
    public static func checkReadable(_ container: Container) throws {
        if container.record.hostConfig.logConfig?.type == "none" {
            throw CellError.invalidInput("configured logging driver does not support reading")
        }
    }

    /// `path.N` files left by rotation (`--log-opt max-size`), oldest (highest N) first; with
    /// `compress`, `path.N.gz` (a file whose compression a crash cut short is there in both
    /// forms: the whole plain one is read).
    static func rotatedFiles(of path: String) -> [String] {
        let directory = FileSystem.dirname(of: path), base = FileSystem.basename(of: path) + "."
        var files: [Int: String] = [:]
        for name in (try? FileSystem.contentsOfDirectory(directory)) ?? [] where name.hasPrefix(base) {
            let suffix = name.dropFirst(base.count)
            if let number = Int(suffix), number > 0 {
                files[number] = "\(path).\(number)"
            } else if suffix.hasSuffix(".gz"), let number = Int(suffix.dropLast(3)), number > 0, files[number] == nil {
                files[number] = "\(path).\(number).gz"
            }
        }
        return files.keys.sorted(by: >).map { files[$0]! }
    }

    /// A rotated file as a plain one to read: itself, or a `.gz` decompressed into an unnamed
    /// file (the handle keeps it while it is read; `/proc/self/fd` names it).
    static func readable(_ file: String) -> (path: String, handle: FileDescriptorHandle?) {
        guard file.hasSuffix(".gz"),
              let handle = try? GzipFile.decompressed(file, in: FileSystem.dirname(of: file)) else { return (file, nil) }
        return ("/proc/self/fd/\(handle.fd)", handle)
    }

    /// Lines in a log file (its newlines), counted from its end up to `limit`: a tail of a
    /// big log reads only the end it shows.
    static func lineCount(_ path: String, atMost limit: Int) -> Int {
        guard limit > 0, let handle = try? FileDescriptorHandle(path: path, flags: O_RDONLY) else { return 0 }
        var end = Int64(lseek(handle.fd, 0, SEEK_END))
        var count = 0
        var block = [UInt8](repeating: 0, count: 1 << 16)
        while end > 0 && count < limit {
            let start = max(0, end - Int64(block.count))
            let length = Int(end - start)
            let read = block.withUnsafeMutableBytes { pread(handle.fd, $0.baseAddress, length, off_t(start)) }
            guard read == length else { break }
            count += block[0..<length].reduce(0) { $1 == 0x0a ? $0 + 1 : $0 }
            end = start
        }
        return min(count, limit)
    }
}

/// What `cell logs` shows of a log.
public struct LogSelection: Sendable {
    /// Prefix each line with its RFC 3339 time, as stored.
    public var timestamps = false
    public var since: Timestamp?
    public var until: Timestamp?
    /// Only the last N lines; nil for all.
    public var tail: Int?

    public init(timestamps: Bool = false, since: Timestamp? = nil, until: Timestamp? = nil, tail: Int? = nil) {
        self.timestamps = timestamps
        self.since = since
        self.until = until
        self.tail = tail
    }
}

/// Copies a container's log to stdout and stderr (or any sink), decoded, at close to the speed of
/// reading the file: lines are decoded in place from large reads into large writes, without a
/// JSON library and without an allocation per line. Logs can be gigabytes.
public struct ContainerLogCopier {
    /// Takes the decoded bytes of one stream, a run of whole lines at a time, in the log's order;
    /// false when they could not be delivered (the reader went away): the copy ends.
    public typealias Sink = (LogStream, ArraySlice<UInt8>) -> Bool

    private let path: String
    private let selection: LogSelection
    private let sink: Sink
    /// Closed when the last copy of the copier goes.
    private var file: FileDescriptorHandle?
    private var offset: Int64 = 0
    private var buffer: [UInt8] = []
    /// Bytes at the start of `buffer` not yet decoded: a line still being written.
    private var pendingCount = 0
    private var output: [UInt8] = []
    private var outputStream: LogStream = .stdout
    private var writeFailed = false

    public enum LogStream: Sendable { case stdout, stderr }

    public init(path: String, selection: LogSelection, stdout: Int32 = 1, stderr: Int32 = 2) {
        self.init(path: path, selection: selection) { stream, bytes in
            Syscall.writeAll(stream == .stdout ? stdout : stderr, bytes)
        }
    }

    /// The API server's form: the bytes go to `sink` (its multiplexed frames), not to descriptors.
    public init(path: String, selection: LogSelection, sink: @escaping Sink) {
        self.path = path
        self.selection = selection
        self.sink = sink
        buffer = [UInt8](repeating: 0, count: 1 << 20)
        output.reserveCapacity(1 << 20)
    }

    /// Writes every complete line appended since the last call. Returns how many lines it read,
    /// or nil when a write failed (the reader went away: a closed pipe ends `logs -f`).
    @discardableResult
    public mutating func copyAvailable() -> Int? {
        if file == nil {
            // The log appears when the container first starts.
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { return 0 }
            file = FileDescriptorHandle(fd: fd, path: path)
            if let tail = selection.tail { offset = ContainerLogCopier.startOfLastLines(tail, in: fd) }
        }
        let fd = file!.fd
        var lines = 0
        while true {
            if pendingCount == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
            let count = buffer.withUnsafeMutableBytes { bytes in
                pread(fd, bytes.baseAddress! + pendingCount, bytes.count - pendingCount, off_t(offset))
            }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                // Rotated away while we read it (`logs -f`): on with the new file from its start.
                var now = stat(), ours = stat()
                if stat(path, &now) == 0, fstat(fd, &ours) == 0, now.st_ino != ours.st_ino {
                    file = nil
                    offset = 0
                    flush()
                    return (copyAvailable() ?? 0) + lines
                }
                break
            }
            offset += Int64(count)
            let filled = pendingCount + count
            // The buffer moves out while its lines are decoded into `output`.
            let chunk = buffer
            buffer = []
            let consumed = chunk.withUnsafeBufferPointer { bytes in
                decodeLines(UnsafeBufferPointer(rebasing: bytes[0..<filled]), lines: &lines)
            }
            buffer = chunk
            // Keep the unfinished line at the front for the next read.
            if consumed > 0 && consumed < filled {
                buffer.withUnsafeMutableBytes { bytes in
                    _ = memmove(bytes.baseAddress!, bytes.baseAddress! + consumed, filled - consumed)
                }
            }
            pendingCount = filled - consumed
        }
        flush()
        return writeFailed ? nil : lines
    }

    /// Decodes the complete lines in `bytes`; returns how many bytes they took.
    private mutating func decodeLines(_ bytes: UnsafeBufferPointer<UInt8>, lines: inout Int) -> Int {
        var start = 0
        while start < bytes.count {
            guard let newline = ContainerLogCopier.index(of: 0x0a, in: bytes, from: start) else { break }
            decode(UnsafeBufferPointer(rebasing: bytes[start..<newline]))
            lines += 1
            start = newline + 1
        }
        return start
    }

    // StaticStrings: compared with memcmp, no array access per line.
    private static let prefix: StaticString = #"{"log":""#
    private static let stdoutMiddle: StaticString = #"","stream":"stdout","time":""#
    private static let stderrMiddle: StaticString = #"","stream":"stderr","time":""#

    /// One line; a malformed one (a torn write after a crash) is skipped.
    private mutating func decode(_ line: UnsafeBufferPointer<UInt8>) {
        guard let (text, stream, time) = ContainerLogCopier.fields(of: line) else { return }
        if selection.since != nil || selection.until != nil {
            guard let parsed = Timestamp(rfc3339: String(decoding: time, as: UTF8.self)) else { return }
            if let since = selection.since, parsed < since { return }
            if let until = selection.until, parsed > until { return }
        }
        // Keep the order between the streams: switching streams writes out the other first.
        if stream != outputStream {
            flush()
            outputStream = stream
        }
        if selection.timestamps {
            ContainerLogCopier.appendFixedNanoseconds(time, to: &output)
            output.append(0x20)
        }
        appendUnescaped(text)
        if output.count >= 1 << 20 { flush() }
    }

    /// A log time (RFC 3339, its fraction trimmed of trailing zeros as the monitor writes it) as
    /// Docker's `logs -t` prints it: always nine fractional digits (`...:56.370700000Z`).
    static func appendFixedNanoseconds(_ time: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        guard let zone = time.lastIndex(where: { $0 == UInt8(ascii: "Z") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }),
              zone > 19 || time[zone] == UInt8(ascii: "Z") else {
            output.append(contentsOf: time)
            return
        }
        let dot = time[..<zone].lastIndex(of: UInt8(ascii: "."))
        let wholeEnd = dot ?? zone
        output.append(contentsOf: time[..<wholeEnd])
        output.append(UInt8(ascii: "."))
        var digits = 0
        if let dot {
            output.append(contentsOf: time[(dot + 1)..<zone])
            digits = zone - dot - 1
        }
        for _ in digits..<max(digits, 9) { output.append(UInt8(ascii: "0")) }
        output.append(contentsOf: time[zone...])
    }

    /// The escaped text, the stream and the time of a line. The monitor writes every line in the
    /// same shape, `{"log":"TEXT","stream":"stdout","time":"TIME"}`, and the text holds no bare
    /// quote, so the fields are found from the end without scanning the text.
    static func fields(of line: UnsafeBufferPointer<UInt8>) -> (UnsafeBufferPointer<UInt8>, LogStream, UnsafeBufferPointer<UInt8>)? {
        let count = line.count
        let prefixCount = prefix.utf8CodeUnitCount
        let middleCount = stdoutMiddle.utf8CodeUnitCount
        guard count > prefixCount + middleCount + 2, matches(line, at: 0, prefix),
              line[count - 1] == 0x7d, line[count - 2] == 0x22 else { return nil }
        var timeStart = count - 3
        while timeStart > prefixCount && line[timeStart - 1] != 0x22 { timeStart -= 1 }
        let textEnd = timeStart - middleCount
        guard textEnd >= prefixCount else { return nil }
        let stream: LogStream
        if matches(line, at: textEnd, stdoutMiddle) {
            stream = .stdout
        } else if matches(line, at: textEnd, stderrMiddle) {
            stream = .stderr
        } else {
            return nil
        }
        return (UnsafeBufferPointer(rebasing: line[prefixCount..<textEnd]), stream,
                UnsafeBufferPointer(rebasing: line[timeStart..<(count - 2)]))
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard let base = bytes.baseAddress, start + length <= bytes.count else { return false }
        return memcmp(base + start, literal.utf8Start, length) == 0
    }

    /// JSON string contents to bytes: runs without escapes are copied whole.
    private mutating func appendUnescaped(_ text: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        while let backslash = ContainerLogCopier.index(of: 0x5c, in: text, from: runStart) {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<backslash]))
            var index = backslash + 1
            guard index < text.count else { return }
            switch text[index] {
            case 0x6e: output.append(0x0a)
            case 0x74: output.append(0x09)
            case 0x72: output.append(0x0d)
            case 0x62: output.append(0x08)
            case 0x66: output.append(0x0c)
            case 0x75:
                guard index + 4 < text.count, var scalar = ContainerLogCopier.hex(text, at: index + 1) else { return }
                index += 4
                if scalar >= 0xd800 && scalar < 0xdc00, index + 6 < text.count, text[index + 1] == 0x5c,
                   text[index + 2] == 0x75, let low = ContainerLogCopier.hex(text, at: index + 3),
                   low >= 0xdc00 && low < 0xe000 {
                    scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                    index += 6
                }
                appendUTF8(Unicode.Scalar(scalar) ?? "\u{fffd}")
            default: output.append(text[index])
            }
            runStart = index + 1
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<text.count]))
    }

    private mutating func appendUTF8(_ scalar: Unicode.Scalar) {
        UTF8.encode(scalar) { output.append($0) }
    }

    private mutating func flush() {
        guard !output.isEmpty else { return }
        if !writeFailed && !sink(outputStream, output[...]) { writeFailed = true }
        output.removeAll(keepingCapacity: true)
    }

    /// Where the last `count` lines of the file begin: read backwards in blocks, counting newlines.
    static func startOfLastLines(_ count: Int, in file: Int32) -> Int64 {
        var end = Int64(lseek(file, 0, SEEK_END))
        if end <= 0 || count == 0 { return max(end, 0) }
        var block = [UInt8](repeating: 0, count: 64 * 1024)
        // The file ends with a newline; the one that ends the last line does not start a line.
        var newlines = -1
        while end > 0 {
            let start = max(0, end - Int64(block.count))
            let length = Int(end - start)
            let read = block.withUnsafeMutableBytes { pread(file, $0.baseAddress, length, off_t(start)) }
            guard read == length else { return 0 }
            for index in stride(from: length - 1, through: 0, by: -1) where block[index] == 0x0a {
                newlines += 1
                if newlines == count { return start + Int64(index) + 1 }
            }
            end = start
        }
        return 0
    }

    static func index(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), bytes.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    static func hex(_ text: UnsafeBufferPointer<UInt8>, at start: Int) -> UInt32? {
        var value: UInt32 = 0
        for digit in text[start..<(start + 4)] {
            value <<= 4
            switch digit {
            case 0x30...0x39: value |= UInt32(digit - 0x30)
            case 0x61...0x66: value |= UInt32(digit - 0x57)
            case 0x41...0x46: value |= UInt32(digit - 0x37)
            default: return nil
            }
        }
        return value
    }
}
