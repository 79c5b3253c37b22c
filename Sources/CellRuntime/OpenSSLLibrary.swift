#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// OpenSSL's client calls, loaded the first time a log driver speaks TLS (syslog's tcp+tls):
/// no other monitor maps libssl. Every type is opaque here, so no headers are needed.
final class OpenSSLLibrary: @unchecked Sendable {
    typealias Pointer = OpaquePointer

    let clientMethod: @convention(c) () -> Pointer?
    let contextNew: @convention(c) (Pointer) -> Pointer?
    let contextFree: @convention(c) (Pointer) -> Void
    let setVerify: @convention(c) (Pointer, Int32, UnsafeRawPointer?) -> Void
    let loadVerifyLocations: @convention(c) (Pointer, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32
    let setDefaultVerifyPaths: @convention(c) (Pointer) -> Int32
    let useCertificateChainFile: @convention(c) (Pointer, UnsafePointer<CChar>) -> Int32
    let usePrivateKeyFile: @convention(c) (Pointer, UnsafePointer<CChar>, Int32) -> Int32
    let checkPrivateKey: @convention(c) (Pointer) -> Int32
    let new: @convention(c) (Pointer) -> Pointer?
    let free: @convention(c) (Pointer) -> Void
    let setFD: @convention(c) (Pointer, Int32) -> Int32
    let control: @convention(c) (Pointer, Int32, Int, UnsafeMutableRawPointer?) -> Int
    let setHost: @convention(c) (Pointer, UnsafePointer<CChar>) -> Int32
    let parameters: @convention(c) (Pointer) -> Pointer?
    let setAddress: @convention(c) (Pointer, UnsafePointer<CChar>) -> Int32
    let connect: @convention(c) (Pointer) -> Int32
    let write: @convention(c) (Pointer, UnsafeRawPointer, Int32) -> Int32
    let shutdown: @convention(c) (Pointer) -> Int32
    let verifyResult: @convention(c) (Pointer) -> Int
    let verifyErrorString: @convention(c) (Int) -> UnsafePointer<CChar>?
    let nextError: @convention(c) () -> UInt
    let errorString: @convention(c) (UInt, UnsafeMutablePointer<CChar>, Int) -> Void

    static let verifyPeer: Int32 = 1          // SSL_VERIFY_PEER
    static let verifyNone: Int32 = 0
    static let fileTypePEM: Int32 = 1         // SSL_FILETYPE_PEM
    static let setServerName: Int32 = 55      // SSL_CTRL_SET_TLSEXT_HOSTNAME
    static let verified = 0                   // X509_V_OK

    static func shared() throws -> OpenSSLLibrary {
        switch loaded {
        case .success(let library): return library
        case .failure(let error): throw error
        }
    }

    private static let loaded: Result<OpenSSLLibrary, CellError> = Result { try OpenSSLLibrary() }.mapError {
        ($0 as? CellError) ?? CellError(.system, "\($0)")
    }

    private init() throws {
        // libcrypto's calls are found through libssl's handle: dlsym searches its dependencies.
        let library = try SharedLibrary("libssl.so.3", name: "OpenSSL", neededBy: "TLS needs OpenSSL (Debian's libssl3)")
        func symbol<T>(_ name: String, as type: T.Type) throws -> T { try library.function(name, as: type) }
        clientMethod = try symbol("TLS_client_method", as: (@convention(c) () -> Pointer?).self)
        contextNew = try symbol("SSL_CTX_new", as: (@convention(c) (Pointer) -> Pointer?).self)
        contextFree = try symbol("SSL_CTX_free", as: (@convention(c) (Pointer) -> Void).self)
        setVerify = try symbol("SSL_CTX_set_verify", as: (@convention(c) (Pointer, Int32, UnsafeRawPointer?) -> Void).self)
        loadVerifyLocations = try symbol("SSL_CTX_load_verify_locations",
                                         as: (@convention(c) (Pointer, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32).self)
        setDefaultVerifyPaths = try symbol("SSL_CTX_set_default_verify_paths", as: (@convention(c) (Pointer) -> Int32).self)
        useCertificateChainFile = try symbol("SSL_CTX_use_certificate_chain_file",
                                             as: (@convention(c) (Pointer, UnsafePointer<CChar>) -> Int32).self)
        usePrivateKeyFile = try symbol("SSL_CTX_use_PrivateKey_file", as: (@convention(c) (Pointer, UnsafePointer<CChar>, Int32) -> Int32).self)
        checkPrivateKey = try symbol("SSL_CTX_check_private_key", as: (@convention(c) (Pointer) -> Int32).self)
        new = try symbol("SSL_new", as: (@convention(c) (Pointer) -> Pointer?).self)
        free = try symbol("SSL_free", as: (@convention(c) (Pointer) -> Void).self)
        setFD = try symbol("SSL_set_fd", as: (@convention(c) (Pointer, Int32) -> Int32).self)
        control = try symbol("SSL_ctrl", as: (@convention(c) (Pointer, Int32, Int, UnsafeMutableRawPointer?) -> Int).self)
        setHost = try symbol("SSL_set1_host", as: (@convention(c) (Pointer, UnsafePointer<CChar>) -> Int32).self)
        parameters = try symbol("SSL_get0_param", as: (@convention(c) (Pointer) -> Pointer?).self)
        setAddress = try symbol("X509_VERIFY_PARAM_set1_ip_asc", as: (@convention(c) (Pointer, UnsafePointer<CChar>) -> Int32).self)
        connect = try symbol("SSL_connect", as: (@convention(c) (Pointer) -> Int32).self)
        write = try symbol("SSL_write", as: (@convention(c) (Pointer, UnsafeRawPointer, Int32) -> Int32).self)
        shutdown = try symbol("SSL_shutdown", as: (@convention(c) (Pointer) -> Int32).self)
        verifyResult = try symbol("SSL_get_verify_result", as: (@convention(c) (Pointer) -> Int).self)
        verifyErrorString = try symbol("X509_verify_cert_error_string", as: (@convention(c) (Int) -> UnsafePointer<CChar>?).self)
        nextError = try symbol("ERR_get_error", as: (@convention(c) () -> UInt).self)
        errorString = try symbol("ERR_error_string_n", as: (@convention(c) (UInt, UnsafeMutablePointer<CChar>, Int) -> Void).self)
    }

    /// The oldest error OpenSSL queued on this thread (the queue is emptied), as its text.
    func lastError() -> String {
        var code: UInt = 0, first: UInt = 0
        repeat {
            code = nextError()
            if first == 0 { first = code }
        } while code != 0
        guard first != 0 else { return "unknown error" }
        var text = [CChar](repeating: 0, count: 256)
        text.withUnsafeMutableBufferPointer { errorString(first, $0.baseAddress!, $0.count - 1) }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
