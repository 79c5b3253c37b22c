#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// What `cell run` tells the monitor it started ahead (`PendingMonitor`), on the socket the
/// monitor reads as fd 4: first, optionally, the spec the container is about to be recorded
/// with (the monitor makes its cgroup while cell writes the record), then that the container
/// is recorded. The socket's end before the second: the run stopped (the name was taken, the
/// client was killed); the monitor takes back what it made and exits.
///
/// Each message is a frame: a kind byte, the payload's length (4 bytes, big-endian), the payload.
public enum MonitorHandOff: Equatable, Sendable {
    /// The spec, as `ContainerSpec.encoded()` writes it, of the container about to be
    /// recorded at `directory`.
    case preview(directory: String, spec: [UInt8])
    /// The container at `directory` is recorded. Its spec on disk is the preview's unless
    /// `specRewritten` (its start changed it: ports chosen, donors looked up).
    case handed(directory: String, specRewritten: Bool)

    /// Far above any spec (the environment is bounded by the kernel's argument limit); a
    /// length beyond it is not a frame of ours.
    static let maximumPayload = 64 << 20

    public var frame: [UInt8] {
        let kind: UInt8
        var payload: [UInt8]
        switch self {
        case .preview(let directory, let spec):
            kind = UInt8(ascii: "P")
            payload = Array(directory.utf8) + [0] + spec
        case .handed(let directory, let specRewritten):
            kind = UInt8(ascii: "H")
            payload = [specRewritten ? 1 : 0] + Array(directory.utf8)
        }
        let length = UInt32(payload.count)
        return [kind, UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + payload
    }

    /// The frame in `bytes`, which hold exactly one; nil if they are not one.
    public init?(frame bytes: [UInt8]) {
        guard bytes.count >= 5, bytes.count == 5 + MonitorHandOff.payloadLength(header: bytes) else { return nil }
        self.init(kind: bytes[0], payload: Array(bytes[5...]))
    }

    private init?(kind: UInt8, payload: [UInt8]) {
        switch kind {
        case UInt8(ascii: "P"):
            guard let end = payload.firstIndex(of: 0), end > 0 else { return nil }
            self = .preview(directory: String(decoding: payload[..<end], as: UTF8.self), spec: Array(payload[(end + 1)...]))
        case UInt8(ascii: "H"):
            guard payload.count > 1, payload[0] <= 1, !payload[1...].contains(0) else { return nil }
            self = .handed(directory: String(decoding: payload[1...], as: UTF8.self), specRewritten: payload[0] == 1)
        default:
            return nil
        }
    }

    /// Sends the frame on the socket `fd`; false if the peer is gone (never SIGPIPE).
    public func send(to fd: Int32) -> Bool {
        let bytes = frame
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// The next message on `fd`, waiting for it; nil at the socket's end or on anything that
    /// is not a frame of ours.
    public static func receive(from fd: Int32) -> MonitorHandOff? {
        guard let header = readExactly(5, from: fd) else { return nil }
        let length = payloadLength(header: header)
        guard length <= maximumPayload, let payload = readExactly(length, from: fd) else { return nil }
        return MonitorHandOff(kind: header[0], payload: payload)
    }

    /// The payload's length a frame's first five bytes give.
    private static func payloadLength(header: [UInt8]) -> Int {
        Int(header[1]) << 24 | Int(header[2]) << 16 | Int(header[3]) << 8 | Int(header[4])
    }

    private static func readExactly(_ count: Int, from fd: Int32) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes[filled...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { return nil }
            filled += got
        }
        return bytes
    }
}
