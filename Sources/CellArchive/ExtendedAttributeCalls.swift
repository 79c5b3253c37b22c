#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// The xattr system calls. Swift's Glibc module does not include <sys/xattr.h> and this
/// module may not add a C shim, so the C functions are looked up once by name; calling them
/// through a C function pointer keeps the C calling convention.
enum ExtendedAttributeCalls {
    typealias PathSet = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32
    typealias DescriptorSet = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32
    typealias PathGet = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    typealias PathList = @convention(c) (UnsafePointer<CChar>, UnsafeMutablePointer<CChar>?, Int) -> Int

    nonisolated(unsafe) static let lset: PathSet = load("lsetxattr")
    nonisolated(unsafe) static let fset: DescriptorSet = load("fsetxattr")
    nonisolated(unsafe) static let lget: PathGet = load("lgetxattr")
    nonisolated(unsafe) static let llist: PathList = load("llistxattr")

    private static func load<Function>(_ name: String) -> Function {
        guard let library = dlopen(nil, RTLD_NOW), let symbol = dlsym(library, name) else {
            fatalError("the C library has no \(name)")
        }
        return unsafeBitCast(symbol, to: Function.self)
    }

    /// Sets `name` on the file at `path` without following a final symlink; errno on failure.
    static func set(path: String, name: String, value: [UInt8]) -> Int32 {
        value.withUnsafeBytes { lset(path, name, $0.baseAddress, $0.count, 0) == 0 ? 0 : errno }
    }

    static func set(fileDescriptor: Int32, name: String, value: [UInt8]) -> Int32 {
        value.withUnsafeBytes { fset(fileDescriptor, name, $0.baseAddress, $0.count, 0) == 0 ? 0 : errno }
    }

    /// The value of `name` on `path` (not following a final symlink), nil when absent.
    static func get(path: String, name: String) -> [UInt8]? {
        var capacity = 256
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            let n = buffer.withUnsafeMutableBytes { lget(path, name, $0.baseAddress, $0.count) }
            if n >= 0 { return Array(buffer[0..<n]) }
            guard errno == ERANGE, capacity < 1 << 20 else { return nil }
            capacity *= 4
        }
    }

    /// The attribute names on `path` (not following a final symlink); none where unsupported.
    static func names(path: String) throws -> [String] {
        var capacity = 1024
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let n = buffer.withUnsafeMutableBufferPointer { llist(path, $0.baseAddress, $0.count) }
            if n >= 0 {
                let names = buffer[0..<n].split(separator: 0).map {
                    String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                }
                return names
            }
            let code = errno
            // A file system without xattrs has none.
            if code == EOPNOTSUPP { return [] }
            if code == ENOENT { throw CellError.notFound("list extended attributes of \(path): \(Syscall.errorString(code))") }
            guard code == ERANGE, capacity < 1 << 22 else {
                throw CellError.system("list extended attributes of \(path): \(Syscall.errorString(code))")
            }
            capacity *= 4
        }
    }
}
