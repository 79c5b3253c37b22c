#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// Whole files into and out of gzip, as Docker's json-file keeps rotated logs with `compress`.
public enum GzipFile {
    /// Compresses `source` into `destination` (made under a temporary name, synced, renamed), then
    /// removes `source`: a crash leaves one whole file or the other, never a cut one under the name.
    public static func compress(_ source: String, to destination: String) throws {
        let gzip = try GzipLibrary.shared()
        let input = try FileDescriptorHandle(path: source, flags: O_RDONLY)
        let temporary = "\(destination).tmp-\(getpid())"
        let output = try FileDescriptorHandle(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o640)
        do {
            // gzclose closes its own descriptor: it gets a duplicate, ours stays for the fsync.
            guard let file = gzip.open(dup(output.fd), "wb1") else { throw CellError(.system, "gzip \(temporary): out of memory") }
            var buffer = [UInt8](repeating: 0, count: 1 << 17)
            var failed = false
            while true {
                let count = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
                if count == 0 { break }
                let written = buffer.withUnsafeBytes { gzip.write(file, $0.baseAddress!, UInt32(count)) }
                if written != count { failed = true; break }
            }
            if gzip.close(file) != 0 || failed { throw CellError(.system, "gzip \(temporary): write failed") }
            try output.sync()
            try FileSystem.rename(temporary, to: destination)
        } catch {
            unlink(temporary)
            throw error
        }
        unlink(source)
    }

    /// The uncompressed bytes of `path`, in an unnamed file in `directory` (nothing to clean up):
    /// its descriptor, read from its start.
    public static func decompressed(_ path: String, in directory: String) throws -> FileDescriptorHandle {
        let gzip = try GzipLibrary.shared()
        let input = try FileDescriptorHandle(path: path, flags: O_RDONLY)
        let fd = Glibc.open(directory, OpenFlags.temporaryFile | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CellError(.system, "decompress \(path): \(Syscall.errorString(errno))") }
        let output = FileDescriptorHandle(fd: fd, path: path)
        guard let file = gzip.open(dup(input.fd), "rb") else { throw CellError(.system, "gunzip \(path): out of memory") }
        defer { _ = gzip.close(file) }
        var buffer = [UInt8](repeating: 0, count: 1 << 17)
        while true {
            let count = buffer.withUnsafeMutableBytes { gzip.read(file, $0.baseAddress!, UInt32($0.count)) }
            if count < 0 { throw CellError(.system, "gunzip \(path): corrupt data") }
            if count == 0 { break }
            try buffer.withUnsafeBytes { try output.writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<Int(count)])) }
        }
        return output
    }
}
