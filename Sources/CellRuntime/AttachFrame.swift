#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import CRuntime

/// The attach socket's protocol (`<container-dir>/attach.sock`, served by the monitor): frames
/// shaped like docker's stdcopy, an 8-byte header (kind, three zero bytes, big-endian length)
/// and the payload. Monitor → client: stdout, stderr, and one exit frame (a big-endian Int32
/// status) before it closes. Client → monitor: stdin bytes, the end of stdin, window sizes.
public enum AttachFrame {
    public enum Kind: UInt8, Sendable {
        case stdin = 0, stdout = 1, stderr = 2, exit = 3, closeStdin = 4, resize = 5
    }

    public static let headerSize = 8

    public static func socketPath(containerDirectory: String) -> String { "\(containerDirectory)/attach.sock" }

    public static func encode(_ kind: Kind, _ payload: ArraySlice<UInt8> = []) -> [UInt8] {
        let count = UInt32(payload.count)
        return [kind.rawValue, 0, 0, 0, UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)]
            + payload
    }

    public static func exit(_ status: Int32) -> [UInt8] {
        let value = UInt32(bitPattern: status)
        return encode(.exit, [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)])
    }

    public static func resize(rows: UInt16, columns: UInt16) -> [UInt8] {
        encode(.resize, [UInt8(rows >> 8), UInt8(rows & 0xff), UInt8(columns >> 8), UInt8(columns & 0xff)])
    }

    /// Takes every complete frame off the front of `buffer`; unknown kinds are dropped.
    public static func decode(_ buffer: inout [UInt8]) -> [(kind: Kind, payload: [UInt8])] {
        var frames: [(kind: Kind, payload: [UInt8])] = []
        var at = 0
        while buffer.count - at >= headerSize {
            let length = Int(buffer[at + 4]) << 24 | Int(buffer[at + 5]) << 16 | Int(buffer[at + 6]) << 8 | Int(buffer[at + 7])
            guard buffer.count - at - headerSize >= length else { break }
            if let kind = Kind(rawValue: buffer[at]) {
                frames.append((kind, Array(buffer[(at + headerSize)..<(at + headerSize + length)])))
            }
            at += headerSize + length
        }
        if at > 0 { buffer.removeFirst(at) }
        return frames
    }

    static func integer(_ payload: [UInt8]) -> Int32? {
        guard payload.count == 4 else { return nil }
        return Int32(bitPattern: UInt32(payload[0]) << 24 | UInt32(payload[1]) << 16 | UInt32(payload[2]) << 8 | UInt32(payload[3]))
    }

    /// Calls `body` with a sockaddr_un for `path`. A container directory under a deep root does
    /// not fit sun_path (108 bytes), so a long path is reached through an O_PATH fd of its
    /// directory, `/proc/self/fd/N/name`, held open for the call (conmon does the same).
    public static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) throws -> T {
        var address = sockaddr_un()
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        var directory: Int32 = -1
        defer { if directory >= 0 { close(directory) } }
        var bytes = Array(path.utf8)
        if bytes.count >= capacity, let slash = path.lastIndex(of: "/") {
            let parent = String(path[..<slash])
            directory = open(parent.isEmpty ? "/" : parent, OpenFlags.path | O_DIRECTORY | O_CLOEXEC)
            guard directory >= 0 else { throw CellError(.setup, "socket directory \(parent): \(Syscall.errorString(errno))") }
            bytes = Array("/proc/self/fd/\(directory)/\(path[path.index(after: slash)...])".utf8)
        }
        guard bytes.count < capacity else { throw CellError(.setup, "socket path too long: \(path)") }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return try withUnsafePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
