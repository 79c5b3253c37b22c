#if canImport(Glibc)
import Glibc
#endif

/// A shared library loaded with dlopen when a feature first needs it (libcurl for registries,
/// zlib for compressed logs, OpenSSL for TLS log drivers), so that no other command or monitor
/// maps it; its functions are looked up by name.
public struct SharedLibrary: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private let name: String

    /// `soname` as the dynamic loader finds it; `neededBy` says who needs it, for the error
    /// when it is missing ("registries need libcurl (Debian's libcurl4)").
    public init(_ soname: String, name: String, neededBy: String) throws {
        guard let handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            throw CellError(.system, "\(neededBy): \(reason)")
        }
        self.handle = handle
        self.name = name
    }

    /// The function `symbol` as `type` (a `@convention(c)` function type). The library's own
    /// dependencies are searched too (libcrypto's functions through libssl).
    public func function<T>(_ symbol: String, as type: T.Type) throws -> T {
        unsafeBitCast(try address(symbol), to: type)
    }

    /// The raw address of `symbol`, for variadic functions called through a C shim.
    public func address(_ symbol: String) throws -> UnsafeMutableRawPointer {
        guard let address = dlsym(handle, symbol) else { throw CellError(.system, "\(name) has no \(symbol)") }
        return address
    }
}
