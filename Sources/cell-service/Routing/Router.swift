import NIOHTTP1

/// Finds the route of a request, as Docker's mux does: every path also under `/v{version}/`,
/// a version outside what this service speaks refused, an unknown path or method `page not found`.
struct Router: Sendable {
    let routes: [Route]
    let engine: Engine

    /// Whether the route this request goes to takes its body as a file (an unparsable request
    /// does not: it is refused later with the body held to the small limit).
    func spoolsBody(_ head: HTTPRequestHead) -> Bool {
        guard let request = try? Self.request(head, body: []) else { return false }
        return routes.contains { $0.spoolsBody && $0.method == request.method && $0.pattern.match(request.segments) != nil }
    }

    /// The directory a spooled body is written in: the store's tmp/.
    var spoolDirectory: String { "\(engine.root)/tmp" }

    func respond(to head: HTTPRequestHead, body: [UInt8], spooled: SpooledBody? = nil) -> APIResponse {
        do {
            // A browser's request (a web page's fetch to 127.0.0.1, or a name rebound to it):
            // no client of the Engine API sends these, and a page must not create containers.
            if head.headers.contains(name: "Origin") || head.headers.contains(name: "Sec-Fetch-Site") {
                return .error(APIError(.forbidden, "requests from web browsers are refused"))
            }
            var request = try Self.request(head, body: body)
            request.spooledBody = spooled
            let matches = routes.lazy.compactMap { route in route.pattern.match(request.segments).map { (route, $0) } }
            guard let (route, captures) = matches.first(where: { $0.0.method == request.method }) else {
                return .error(.pageNotFound)
            }
            if request.versionGiven {
                if request.version < APIVersion.minimum {
                    throw APIError.badRequest("client version \(request.version) is too old. Minimum supported API version is \(APIVersion.minimum), please upgrade your client to a newer version")
                }
                if request.version > APIVersion.current {
                    throw APIError.badRequest("client version \(request.version) is too new. Maximum supported API version is \(APIVersion.current)")
                }
            }
            return try route.handler(RouteCall(request: request, captures: captures, engine: engine))
        } catch {
            return .error(APIError(describing: error))
        }
    }

    /// The URI split into the path's segments (the version prefix taken off) and the query.
    static func request(_ head: HTTPRequestHead, body: [UInt8]) throws -> APIRequest {
        let uri = head.uri[...]
        let pathEnd = uri.firstIndex(of: "?") ?? uri.endIndex
        let query = pathEnd < uri.endIndex ? uri[uri.index(after: pathEnd)...] : ""
        var segments = uri[..<pathEnd].split(separator: "/", omittingEmptySubsequences: true)
        var version = APIVersion.current
        var versionGiven = false
        if let first = segments.first, first.hasPrefix("v"), first.dropFirst().allSatisfy({ $0.isNumber || $0 == "." }),
           first.count > 1, let given = APIVersion(first.dropFirst()) {
            version = given
            versionGiven = true
            segments.removeFirst()
        }
        return APIRequest(method: head.method, segments: segments, version: version, versionGiven: versionGiven,
                          query: try QueryParameters(parsing: query), headers: head.headers, body: body)
    }
}
