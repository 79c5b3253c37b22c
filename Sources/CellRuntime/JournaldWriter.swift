#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// What the journald log driver adds to each of a container's lines, as Docker's does:
/// CONTAINER_ID, CONTAINER_ID_FULL, CONTAINER_NAME, CONTAINER_TAG, SYSLOG_IDENTIFIER,
/// IMAGE_NAME and the `labels`/`env` attributes, as `KEY=value` fields.
public struct JournaldDestination: Equatable, Sendable {
    public var fields: [String]

    /// journald's native socket (systemd.journal-fields, "the native protocol").
    public static let socketPath = "/run/systemd/journal/socket"

    public init(fields: [String]) { self.fields = fields }

    /// A field name journald takes: upper case letters, digits and underscores, not starting
    /// with an underscore (those are journald's own), as Docker makes label and variable names.
    public static func fieldName(_ name: String) -> String {
        let mapped = name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }
        return String(String(mapped).drop { $0 == "_" })
    }

    /// One entry in the native protocol: `KEY=value` lines, and the binary form (the name, a
    /// newline, the length as 64-bit little-endian, the value) for a value with a newline.
    func entry(_ line: ArraySlice<UInt8>, error: Bool, partial: Bool, time: Timestamp) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(line.count + 512)
        func append(_ name: String, _ value: some Collection<UInt8>) {
            bytes += name.utf8
            if value.contains(0x0a) {
                bytes.append(0x0a)
                withUnsafeBytes(of: UInt64(value.count).littleEndian) { bytes += $0 }
            } else {
                bytes.append(UInt8(ascii: "="))
            }
            bytes += value
            bytes.append(0x0a)
        }
        append("MESSAGE", line)
        append("PRIORITY", (error ? "3" : "6").utf8)
        append("SYSLOG_TIMESTAMP", time.rfc3339Nano.utf8)
        if partial { append("CONTAINER_PARTIAL_MESSAGE", "true".utf8) }
        for field in fields {
            guard let equals = field.firstIndex(of: "=") else { continue }
            append(String(field[..<equals]), field[field.index(after: equals)...].utf8)
        }
        return bytes
    }
}

/// The monitor's datagram socket to journald. A host where no journald listens fails the
/// start, as Docker's driver does; an entry journald cannot take at once waits up to the send
/// timeout, then is dropped: a container never stops on its logging.
public final class JournaldWriter: LogLineForwarder {
    public let destination: JournaldDestination
    private let socket: Int32

    public init(destination: JournaldDestination) throws {
        self.destination = destination
        var st = stat()
        guard stat(JournaldDestination.socketPath, &st) == 0, st.st_mode & S_IFMT == S_IFSOCK else {
            throw CellError(.setup, "failed to initialize logging driver: journald is not enabled on this host")
        }
        socket = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw CellError(.setup, "failed to initialize logging driver: socket: \(Syscall.errorString(errno))") }
        let socket = self.socket
        let connected = try AttachFrame.withAddress(JournaldDestination.socketPath) { Glibc.connect(socket, $0, $1) }
        guard connected == 0 else {
            let code = errno
            close(socket)
            throw CellError(.setup, "failed to initialize logging driver: journald: connect: \(Syscall.errorString(code))")
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(socket) }

    public func forward(_ line: ArraySlice<UInt8>, stream: ContainerLogWriter.Stream, complete: Bool, time: Timestamp) {
        let entry = destination.entry(line, error: stream == .stderr, partial: !complete, time: time)
        entry.withUnsafeBytes { bytes in
            var sent: Int
            repeat { sent = send(socket, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) } while sent < 0 && errno == EINTR
        }
    }
}
