#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellFormat

/// A token from the authorization server a Bearer challenge names (Docker's token
/// authentication, which Docker Hub, GHCR, Quay, Harbor and the distribution registry speak):
/// `GET realm?service=...&scope=...&account=USER`, with Basic credentials when there are some.
struct BearerToken: Sendable {
    var value: String
    /// When it stops being good (seconds since the epoch): `expires_in` after `issued_at`, or
    /// after now; 60 seconds when the server says less or nothing, as Docker reads it.
    var expiry: Int

    static let minimumLifetime = 60

    /// Fetches a token for `scopes` (none: a login's check). Credentials go only to an https
    /// realm, or a plain http one that cell would speak to plainly anyway (loopback, insecure):
    /// a registry's challenge must not make us send a password in clear text across a network.
    static func fetch(for challenge: AuthenticationChallenge, scopes: [String], credentials: RegistryCredentials?,
                      configuration: RegistryConfiguration, registry: String) throws -> BearerToken {
        guard let realm = challenge.realm, let (scheme, host) = RegistryHost.parts(ofURL: realm), !host.isEmpty else {
            throw CellError.invalidInput("\(registry) asked for a token from \(challenge.realm.map { GoQuote.quote($0) } ?? "no realm"), which is not an http or https URL")
        }
        if scheme == "http", credentials != nil, !RegistryHost.isLoopback(host), !configuration.isInsecure(host) {
            throw CellError.invalidInput("\(registry) asked for credentials to be sent to \(realm) over plain HTTP; cell sends them only over HTTPS")
        }
        var query: [String] = []
        if let service = challenge.parameters["service"] { query.append("service=\(URLQuery.escape(service))") }
        query += scopes.map { "scope=\(URLQuery.escape($0))" }
        var headers: [String] = []
        if let credentials {
            query.append("account=\(URLQuery.escape(credentials.username))")
            headers.append("Authorization: Basic \(credentials.basicToken)")
        }
        let url = realm + (query.isEmpty ? "" : (realm.contains("?") ? "&" : "?") + query.joined(separator: "&"))
        let security = try TransportSecurity.forHost(host, configuration: configuration)
        let response: HTTPResponse
        do {
            response = try HTTPTransfer.perform(HTTPRequest(url: url, headers: headers, security: security))
        } catch let error as CellError {
            // Said without the query, which names the account.
            let reason = error.message.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).last.map(String.init) ?? ""
            throw CellError(error.kind, "Get \"\(realm)\":\(reason)")
        }
        guard response.isSuccess else {
            throw CellError.conflict(refusal(response))
        }
        guard let document = try? JSONValue(parsing: response.body), document.objectValue != nil else {
            throw CellError.invalidInput("unable to decode token response from \(realm): not a JSON object")
        }
        guard let token = document["token"]?.stringValue ?? document["access_token"]?.stringValue, !token.isEmpty else {
            throw CellError.invalidInput("authorization server \(realm) did not include a token in the response")
        }
        // It goes into a header line: nothing but visible ASCII.
        guard token.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw CellError.invalidInput("authorization server \(realm) sent a token that is not a valid header value")
        }
        let lifetime = max(minimumLifetime, Int(document["expires_in"]?.integerValue ?? 0))
        let issued = document["issued_at"]?.stringValue.flatMap { Timestamp(rfc3339: $0) }.map { Int($0.seconds) } ?? Int(time(nil))
        return BearerToken(value: token, expiry: issued + lifetime)
    }

    var hasExpired: Bool { Int(time(nil)) >= expiry }

    /// An authorization server's no, as Docker words it: its `errors`, or its `details`
    /// (Docker Hub's), or the status.
    static func refusal(_ response: HTTPResponse) -> String {
        let document = try? JSONValue(parsing: response.body)
        if let errors = document?["errors"]?.arrayValue, !errors.isEmpty { return RegistryError.describe(response) }
        let unauthorized = response.status == 401 || response.status == 403
        if let details = document?["details"]?.stringValue, !details.isEmpty {
            return unauthorized ? "unauthorized: \(details)" : details
        }
        return unauthorized ? "unauthorized: incorrect username or password"
            : "token server answered with status \(response.status)"
    }
}
