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
}
