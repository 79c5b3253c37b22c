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

    public init(method: String = "GET", url: String, headers: [String] = [], body: Body = .none, rangeStart: Int64? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.rangeStart = rangeStart
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
/// credentials: curl drops a custom Authorization header for another host), proxies from the
/// environment as curl reads them, the system's trust store, a stalled transfer given up after
/// a minute. A 2xx body streams to `sink`; any other body is kept (a registry's error JSON),
/// up to 1 MiB.
public enum HTTPTransfer {
    static let keptBodyLimit = 1 << 20
    static let userAgent = "cell/0.1"

    public static func perform(_ request: HTTPRequest,
                               sink: HTTPBodySink? = nil) throws -> HTTPResponse {
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
            throw CellError(.system, "\(verb) \"\(request.url)\": \(curl.message(code))")
        }
        return HTTPResponse(status: curl.info(handle, CURLINFO_RESPONSE_CODE), headers: context.headers, body: context.kept)
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
