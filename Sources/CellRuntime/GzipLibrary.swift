#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// zlib's gzip file functions, loaded the first time a log is compressed or a compressed one is
/// read: the monitor of every other container never maps the library.
final class GzipLibrary: @unchecked Sendable {
    typealias File = OpaquePointer

    let open: @convention(c) (Int32, UnsafePointer<CChar>) -> File?
    let write: @convention(c) (File, UnsafeRawPointer, UInt32) -> Int32
    let read: @convention(c) (File, UnsafeMutableRawPointer, UInt32) -> Int32
    let close: @convention(c) (File) -> Int32

    static func shared() throws -> GzipLibrary {
        switch loaded {
        case .success(let library): return library
        case .failure(let error): throw error
        }
    }

    private static let loaded: Result<GzipLibrary, CellError> = Result { try GzipLibrary() }.mapError {
        ($0 as? CellError) ?? CellError(.system, "\($0)")
    }

    private init() throws {
        let library = try SharedLibrary("libz.so.1", name: "zlib", neededBy: "compressed logs need zlib (Debian's zlib1g)")
        func symbol<T>(_ name: String, as type: T.Type) throws -> T { try library.function(name, as: type) }
        open = try symbol("gzdopen", as: (@convention(c) (Int32, UnsafePointer<CChar>) -> File?).self)
        write = try symbol("gzwrite", as: (@convention(c) (File, UnsafeRawPointer, UInt32) -> Int32).self)
        read = try symbol("gzread", as: (@convention(c) (File, UnsafeMutableRawPointer, UInt32) -> Int32).self)
        close = try symbol("gzclose", as: (@convention(c) (File) -> Int32).self)
    }
}
