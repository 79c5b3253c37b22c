#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An owned file descriptor, O_CLOEXEC always, closed on deinit.
public final class FileDescriptorHandle {
    public let fd: Int32
    public let path: String
    private var closed = false

    public init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// open(2) with O_CLOEXEC added; throws a `.system` error naming the path.
    public convenience init(path: String, flags: Int32, mode: mode_t = 0o644) throws {
        let fd = try Syscall.retrying("open \(path)") { open(path, flags | O_CLOEXEC, mode) }
        self.init(fd: fd, path: path)
    }

    deinit { if !closed { _ = Glibc.close(fd) } }

    public func close() throws {
        guard !closed else { return }
        closed = true
        if Glibc.close(fd) != 0 && errno != EINTR {
            throw CellError.system("close \(path): \(Syscall.errorString(errno))")
        }
    }

    /// Writes every byte or throws (ENOSPC included: a full disk is an error, not a short file).
    public func writeAll(_ buffer: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < buffer.count {
            let n = try Syscall.retrying("write \(path)") {
                write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            offset += n
        }
    }

    public func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll($0) }
    }

    /// Reads up to `buffer.count` bytes; 0 means end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try Syscall.retrying("read \(path)") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Everything to the end; with `limit`, a file longer than that throws instead (a file
    /// whose size says nothing, such as one a container chose, must not fill our memory).
    public func readToEnd(limit: Int = .max) throws -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { return result }
            guard result.count + n <= limit else { throw CellError.invalidInput("\(path) is larger than \(limit) bytes") }
            result.append(contentsOf: chunk[0..<n])
        }
    }

    public func sync() throws {
        try Syscall.retrying("fsync \(path)") { fsync(fd) }
    }
}
