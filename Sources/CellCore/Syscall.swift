#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One place for the EINTR retry loop and for turning errno into a readable CellError.
public enum Syscall {
    /// Runs `body` until it returns something other than -1 with EINTR; a -1 with another errno
    /// throws a `.system` error that names `what`.
    @discardableResult
    public static func retrying<T: BinaryInteger>(_ what: @autoclosure () -> String, _ body: () -> T) throws -> T {
        while true {
            let result = body()
            if result == -1 {
                let code = errno
                if code == EINTR { continue }
                throw CellError.system("\(what()): \(errorString(code))")
            }
            return result
        }
    }

    /// The C library's text for an errno value ("No such file or directory").
    public static func errorString(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// The same as Go and runc print it inside a message ("no such file or directory").
    public static func lowercaseErrorString(_ code: Int32) -> String {
        let text = errorString(code)
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    /// Writes every byte to `fd`, retrying on EINTR; false when it cannot (a closed peer, a
    /// broken pipe, fd < 0). For relays, where a reader going away is normal, not an error.
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { writeAll(fd, $0) }
    }

    public static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) -> Bool {
        guard fd >= 0 else { return false }
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}
