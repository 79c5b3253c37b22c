import NIOHTTP1

/// One request as the routes see it: its method, its path without the version prefix, the API
/// version it asked for, its query and its whole body (the endpoints of this service take small
/// JSON bodies; the ones that stream a body in will read it from the channel instead).
struct APIRequest: Sendable {
    var method: HTTPMethod
    /// The path's raw segments after the version prefix (still percent-encoded: a name may hold
    /// an encoded `/`, which only the route's capture decodes).
    var segments: [Substring]
    var version: APIVersion
    /// Whether the client named the version (`/v1.41/...`) or took the server's.
    var versionGiven: Bool
    var query: QueryParameters
    var headers: HTTPHeaders
    var body: [UInt8]
    /// The body of a route that spools it (`Route.spoolsBody`); `body` is empty then.
    var spooledBody: SpooledBody? = nil
}
