#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import CellCore

/// Turns libarchive's status codes and error strings into CellErrors.
enum ArchiveStatus {
    /// The library's own one-line explanation of the last failure on `archive`.
    static func message(_ archive: OpaquePointer) -> String {
        guard let text = archive_error_string(archive) else { return "unknown libarchive error" }
        return String(cString: text)
    }

    /// An error number that means the system failed rather than the input being bad.
    static func isSystemFailure(_ archive: OpaquePointer) -> Bool {
        switch archive_errno(archive) {
        case EIO, EBADF, EISDIR, ENOMEM, EACCES, EPERM, ENOSPC, EAGAIN, EFBIG, EROFS: return true
        default: return false
        }
    }

    /// The error for a failed read of the stream called `name`.
    static func readFailure(_ archive: OpaquePointer, name: String) -> CellError {
        if isSystemFailure(archive) {
            return .system("read archive \(name): \(message(archive))")
        }
        return .invalidInput("archive \(name) is corrupt or truncated: \(message(archive))")
    }
}
