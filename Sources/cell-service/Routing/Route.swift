import NIOHTTP1

/// One endpoint: a method, a path and what answers it.
struct Route: Sendable {
    let method: HTTPMethod
    let pattern: PathPattern
    let handler: @Sendable (RouteCall) throws -> APIResponse
    /// Whether its body goes to a file as it arrives (`SpooledBody`), up to
    /// `HTTPConnectionHandler.maximumSpooledBody`, instead of memory up to `maximumBody`.
    let spoolsBody: Bool

    init(_ method: HTTPMethod, _ path: String, spoolsBody: Bool = false,
         _ handler: @escaping @Sendable (RouteCall) throws -> APIResponse) {
        self.method = method
        self.pattern = PathPattern(path)
        self.spoolsBody = spoolsBody
        self.handler = handler
    }
}

/// A matched request as a route's handler gets it.
struct RouteCall: Sendable {
    let request: APIRequest
    let captures: [String: Substring]
    let engine: Engine

    var query: QueryParameters { request.query }
    var version: APIVersion { request.version }

    /// A path capture, decoded (`%2F` is a slash again); NUL bytes and bad escapes are a 400.
    func capture(_ name: String) throws -> String {
        try PercentDecoding.decode(captures[name] ?? "", plusIsSpace: false, what: "path parameter \(name)")
    }
}
