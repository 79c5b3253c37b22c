#if canImport(Glibc)
import Glibc
#endif
import CCurl
import CellCore

/// libcurl, loaded the first time a registry is used: `dlopen` keeps the library and the dozen
/// it needs (TLS, HTTP/2, IDN...) out of every other cell command's start. Its functions are
/// looked up once; the variadic ones are called through the C shim.
final class CurlLibrary: @unchecked Sendable {
    typealias Handle = UnsafeMutableRawPointer

    let easyInit: @convention(c) () -> Handle?
    let easyCleanup: @convention(c) (Handle?) -> Void
    let easyPerform: @convention(c) (Handle?) -> CURLcode
    let easyStrerror: @convention(c) (CURLcode) -> UnsafePointer<CChar>?
    let slistAppend: @convention(c) (UnsafeMutablePointer<curl_slist>?, UnsafePointer<CChar>?) -> UnsafeMutablePointer<curl_slist>?
    let slistFreeAll: @convention(c) (UnsafeMutablePointer<curl_slist>?) -> Void
    private let setopt: UnsafeMutableRawPointer
    private let getinfo: UnsafeMutableRawPointer

    /// The library, or why it could not be loaded.
    static func shared() throws -> CurlLibrary {
        switch loaded {
        case .success(let library): return library
        case .failure(let error): throw error
        }
    }

    private static let loaded: Result<CurlLibrary, CellError> = Result { try CurlLibrary() }.mapError {
        ($0 as? CellError) ?? CellError(.system, "\($0)")
    }

    private init() throws {
        let library = try SharedLibrary("libcurl.so.4", name: "libcurl", neededBy: "registries need libcurl (Debian's libcurl4)")
        func symbol(_ name: String) throws -> UnsafeMutableRawPointer { try library.address(name) }
        easyInit = unsafeBitCast(try symbol("curl_easy_init"), to: (@convention(c) () -> Handle?).self)
        easyCleanup = unsafeBitCast(try symbol("curl_easy_cleanup"), to: (@convention(c) (Handle?) -> Void).self)
        easyPerform = unsafeBitCast(try symbol("curl_easy_perform"), to: (@convention(c) (Handle?) -> CURLcode).self)
        easyStrerror = unsafeBitCast(try symbol("curl_easy_strerror"), to: (@convention(c) (CURLcode) -> UnsafePointer<CChar>?).self)
        slistAppend = unsafeBitCast(try symbol("curl_slist_append"),
                                    to: (@convention(c) (UnsafeMutablePointer<curl_slist>?, UnsafePointer<CChar>?) -> UnsafeMutablePointer<curl_slist>?).self)
        slistFreeAll = unsafeBitCast(try symbol("curl_slist_free_all"), to: (@convention(c) (UnsafeMutablePointer<curl_slist>?) -> Void).self)
        setopt = try symbol("curl_easy_setopt")
        getinfo = try symbol("curl_easy_getinfo")
        // Once, before any thread makes a handle (curl_global_init is not thread-safe).
        let globalInit = unsafeBitCast(try symbol("curl_global_init"), to: (@convention(c) (Int) -> CURLcode).self)
        let code = globalInit(Int(CURL_GLOBAL_DEFAULT))
        guard code == CURLE_OK else { throw CellError(.system, "curl_global_init failed (\(code.rawValue))") }
    }

    func set(_ handle: Handle, _ option: CURLoption, _ value: Int) throws {
        try check(cell_curl_setopt_long(setopt, handle, option, value), option)
    }

    func set(_ handle: Handle, _ option: CURLoption, pointer value: UnsafeRawPointer?) throws {
        try check(cell_curl_setopt_pointer(setopt, handle, option, value), option)
    }

    func set(_ handle: Handle, _ option: CURLoption, offset value: Int64) throws {
        try check(cell_curl_setopt_offset(setopt, handle, option, curl_off_t(value)), option)
    }

    func info(_ handle: Handle, _ info: CURLINFO) -> Int {
        var value = 0
        _ = cell_curl_getinfo_long(getinfo, handle, info, &value)
        return value
    }

    func info(_ handle: Handle, string info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>? = nil
        guard cell_curl_getinfo_string(getinfo, handle, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    func message(_ code: CURLcode) -> String {
        easyStrerror(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws {
        guard code == CURLE_OK else { throw CellError(.system, "curl option \(option.rawValue): \(message(code))") }
    }
}
