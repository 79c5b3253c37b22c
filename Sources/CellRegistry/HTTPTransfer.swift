#if canImport(Glibc)
import Glibc
#endif
import CCurl
import CellCore

/// Where a successful body goes as it arrives, with the status it came with (206 for a range).
public typealias HTTPBodySink = (UnsafeRawBufferPointer, Int) throws -> Void

/// One HTTP request as a registry client makes it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    /// "Name: value" lines.
    public var headers: [String]
    /// What a PUT, POST or PATCH sends: bytes in memory, or `length` bytes of a file from
    /// `offset` (read with pread, so a request sent again sends the same bytes).
    public enum Body: Sendable {
        case none
        case bytes([UInt8])
        case file(descriptor: Int32, offset: Int64, length: Int64)
    }
    public var body: Body
    /// Ask for the body from this offset on (a download resumed after a dropped connection).
    public var rangeStart: Int64?
    /// How the server's certificate is checked, and ours shown.
    public var security: TransportSecurity

    public init(method: String = "GET", url: String, headers: [String] = [], body: Body = .none, rangeStart: Int64? = nil,
                security: TransportSecurity = TransportSecurity()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.rangeStart = rangeStart
        self.security = security
    }
}

/// The final response (after redirects): its status, headers and, unless a sink took a
/// successful body, the body.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Names lowercased, in the order received.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// HTTP over libcurl: redirects followed (http and https only, never back to a host with our
/// credentials: curl drops a custom Authorization header for another host or port), proxies from
/// the environment as curl reads them, TLS checked as the request's `security` says, a stalled
/// transfer given up after a minute. A 2xx body streams to `sink`; any other body is kept (a
/// registry's error JSON), up to 1 MiB.
public enum HTTPTransfer {
    static let keptBodyLimit = 1 << 20
    static let userAgent = "cell/0.1"

    /// Why a transfer failed below HTTP, for the choice between HTTPS and plain HTTP: a server
    /// whose certificate was refused speaks TLS, and must not be asked again without it.
    enum Failure {
        case certificate
        case other
    }

    public static func perform(_ request: HTTPRequest,
                               sink: HTTPBodySink? = nil) throws -> HTTPResponse {
        var failure: Failure?
        return try perform(request, sink: sink, failure: &failure)
    }

    static func perform(_ request: HTTPRequest, sink: HTTPBodySink? = nil, failure: inout Failure?) throws -> HTTPResponse {
        let curl = try CurlLibrary.shared()
        guard let handle = curl.easyInit() else { throw CellError(.system, "curl_easy_init failed") }
        defer { curl.easyCleanup(handle) }
        let context = TransferContext(sink: sink, body: request.body)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        let arena = CStringArena()
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl.slistFreeAll(headerList) }
        // An empty "Expect:" stops curl's 100-continue round trip before every upload.
        for line in request.headers + ["Expect:"] { headerList = curl.slistAppend(headerList, try arena.string(line)) }

        try curl.set(handle, CURLOPT_URL, pointer: try arena.string(request.url))
        try curl.set(handle, CURLOPT_PROTOCOLS_STR, pointer: try arena.string("http,https"))
        try curl.set(handle, CURLOPT_REDIR_PROTOCOLS_STR, pointer: try arena.string("http,https"))
        try curl.set(handle, CURLOPT_FOLLOWLOCATION, 1)
        try curl.set(handle, CURLOPT_MAXREDIRS, 10)
        try curl.set(handle, CURLOPT_NOSIGNAL, 1)
        try curl.set(handle, CURLOPT_CONNECTTIMEOUT, 30)
        try curl.set(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
        try curl.set(handle, CURLOPT_LOW_SPEED_TIME, 60)
        try curl.set(handle, CURLOPT_USERAGENT, pointer: try arena.string(userAgent))
        try curl.set(handle, CURLOPT_HTTPHEADER, pointer: headerList)
        try curl.set(handle, CURLOPT_HEADERFUNCTION, pointer: unsafeBitCast(headerCallback, to: UnsafeRawPointer.self))
        try curl.set(handle, CURLOPT_HEADERDATA, pointer: unmanaged.toOpaque())
        try curl.set(handle, CURLOPT_WRITEFUNCTION, pointer: unsafeBitCast(writeCallback, to: UnsafeRawPointer.self))
        try curl.set(handle, CURLOPT_WRITEDATA, pointer: unmanaged.toOpaque())
        if let start = request.rangeStart { try curl.set(handle, CURLOPT_RESUME_FROM_LARGE, offset: start) }
        try secure(handle, request.security, curl: curl, arena: arena)
        switch request.method {
        case "GET": break
        case "HEAD": try curl.set(handle, CURLOPT_NOBODY, 1)
        default:
            try curl.set(handle, CURLOPT_CUSTOMREQUEST, pointer: try arena.string(request.method))
            let length: Int64
            switch request.body {
            case .none: length = 0
            case .bytes(let bytes): length = Int64(bytes.count)
            case .file(_, _, let size): length = size
            }
            try curl.set(handle, CURLOPT_UPLOAD, 1)
            try curl.set(handle, CURLOPT_INFILESIZE_LARGE, offset: length)
            try curl.set(handle, CURLOPT_READFUNCTION, pointer: unsafeBitCast(readCallback, to: UnsafeRawPointer.self))
            try curl.set(handle, CURLOPT_READDATA, pointer: unmanaged.toOpaque())
        }
        let code = curl.easyPerform(handle)
        if let error = context.error { throw error }
        guard code == CURLE_OK else {
            let verb = request.method.prefix(1) + request.method.dropFirst().lowercased()
            let certificate = HTTPTransfer.certificateCodes.contains(code)
            failure = certificate ? .certificate : .other
            let reason = code == CURLE_PEER_FAILED_VERIFICATION
                ? verificationFailure(curl.info(handle, CURLINFO_SSL_VERIFYRESULT), url: request.url) : curl.message(code)
            throw CellError(.system, "\(verb) \"\(request.url)\": \(reason)")
        }
        return HTTPResponse(status: curl.info(handle, CURLINFO_RESPONSE_CODE), headers: context.headers, body: context.kept)
    }

    /// TLS as `security` says: curl's CA bundle (the system's) with the extra CAs after it, as one
    /// PEM blob; a client certificate; no checks at all for an insecure registry.
    private static func secure(_ handle: CurlLibrary.Handle, _ security: TransportSecurity, curl: CurlLibrary,
                               arena: CStringArena) throws {
        if !security.verifiesPeer {
            try curl.set(handle, CURLOPT_SSL_VERIFYPEER, 0)
            try curl.set(handle, CURLOPT_SSL_VERIFYHOST, 0)
        } else if !security.extraAuthorities.isEmpty {
            var bundle: [UInt8] = []
            if let system = curl.info(handle, string: CURLINFO_CAINFO), let bytes = try? FileSystem.readFile(system) {
                bundle = bytes
                if bundle.last != UInt8(ascii: "\n") { bundle.append(UInt8(ascii: "\n")) }
            }
            bundle += security.extraAuthorities
            try bundle.withUnsafeMutableBytes { bytes in
                // CURL_BLOB_COPY: curl keeps its own copy, this buffer may go.
                var blob = curl_blob(data: bytes.baseAddress, len: bytes.count, flags: UInt32(CURL_BLOB_COPY))
                try withUnsafePointer(to: &blob) { try curl.set(handle, CURLOPT_CAINFO_BLOB, pointer: $0) }
            }
        }
        if let certificate = security.clientCertificate, let key = security.clientKey {
            try curl.set(handle, CURLOPT_SSLCERT, pointer: try arena.string(certificate))
            try curl.set(handle, CURLOPT_SSLKEY, pointer: try arena.string(key))
        }
    }

    /// Failures that mean the server speaks TLS but the certificates did not do.
    static let certificateCodes: Set<CURLcode> = [CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE,
                                                  CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS]

    /// A refused certificate in the words of Go's crypto/x509, which Docker users know
    /// (OpenSSL's X509_V_ERR_* → Go's error); a name mismatch is found by curl (result 0).
    static func verificationFailure(_ result: Int, url: String) -> String {
        let prefix = "tls: failed to verify certificate: x509: "
        switch result {
        case 2, 18, 19, 20, 21: return prefix + "certificate signed by unknown authority"
        case 9, 10: return prefix + "certificate has expired or is not yet valid"
        case 0, 62, 64:
            let host = url.drop { $0 != "/" }.dropFirst(2).prefix { $0 != "/" }
            return prefix + "certificate is not valid for \(RegistryHost.name(of: String(host)))"
        default: return prefix + "certificate refused (OpenSSL verify result \(result))"
        }
    }

    /// What the callbacks share with `perform`, through curl's user pointer.
    private final class TransferContext {
        let sink: HTTPBodySink?
        let body: HTTPRequest.Body
        var uploaded = 0
        var status = 0
        var headers: [(name: String, value: String)] = []
        var kept: [UInt8] = []
        var error: (any Error)?

        init(sink: HTTPBodySink?, body: HTTPRequest.Body) {
            self.sink = sink
            self.body = body
        }
    }

    private static let headerCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        buffer, size, count, user in
        let context = Unmanaged<TransferContext>.fromOpaque(user!).takeUnretainedValue()
        let length = size * count
        guard let buffer else { return length }
        let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self).trimmedWhitespace
        if line.hasPrefix("HTTP/") {
            // Each response of a redirect chain starts over; the last one is the answer.
            let parts = line.split(separator: " ", maxSplits: 2)
            context.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            context.headers = []
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmedWhitespace
            context.headers.append((name, value))
        }
        return length
    }

    private static let writeCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        buffer, size, count, user in
        let context = Unmanaged<TransferContext>.fromOpaque(user!).takeUnretainedValue()
        let length = size * count
        guard let buffer, length > 0 else { return length }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
        if let sink = context.sink, (200..<300).contains(context.status) {
            do {
                try sink(bytes, context.status)
            } catch {
                context.error = error
                return 0 // curl stops with a write error; perform throws ours
            }
        } else if context.kept.count < keptBodyLimit {
            context.kept += bytes.prefix(keptBodyLimit - context.kept.count)
        }
        return length
    }

    private static let readCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        buffer, size, count, user in
        let context = Unmanaged<TransferContext>.fromOpaque(user!).takeUnretainedValue()
        guard let buffer else { return 0 }
        let room = size * count
        switch context.body {
        case .none:
            return 0
        case .bytes(let bytes):
            let n = min(room, bytes.count - context.uploaded)
            bytes.withUnsafeBytes { source in
                UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + context.uploaded, byteCount: n)
            }
            context.uploaded += n
            return n
        case .file(let descriptor, let offset, let length):
            let wanted = min(room, Int(length - Int64(context.uploaded)))
            if wanted <= 0 { return 0 }
            while true {
                let n = pread(descriptor, buffer, wanted, off_t(offset) + off_t(context.uploaded))
                if n < 0 && errno == EINTR { continue }
                if n < 0 {
                    context.error = CellError(.system, "read upload: \(Syscall.errorString(errno))")
                    return Int(CURL_READFUNC_ABORT)
                }
                context.uploaded += n
                return n
            }
        }
    }
}
