#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellFormat
import CellImage

/// One repository of a registry, as the OCI Distribution API serves it (`/v2/<name>/...`):
/// manifests and blobs, with the authentication the registry asks for.
///
/// The scheme is HTTPS, but for the registries Docker lets speak plain HTTP by default
/// (`localhost` and loopback addresses), which are tried over HTTPS first as Docker does. A 401
/// names a Bearer realm (a token is fetched for the repository's scope and the request sent
/// again) or Basic (credentials are sent, when there are any). Safe to share between the
/// threads of parallel downloads: the token is kept under a lock.
public final class RegistryRepository: @unchecked Sendable {
    public let reference: ImageReference
    public let credentials: RegistryCredentials?
    /// "pull", or "pull,push".
    let actions: String
    private var mutex = pthread_mutex_t()
    private var scheme: String?
    private var authorization: String?

    public init(reference: ImageReference, credentials: RegistryCredentials? = nil, actions: String = "pull") {
        self.reference = reference
        self.credentials = credentials
        self.actions = actions
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    /// docker.io's API answers at registry-1.docker.io.
    var apiHost: String { reference.domain == ImageReference.defaultDomain ? "registry-1.docker.io" : reference.domain }

    /// Docker's rule: plain HTTP is allowed to `localhost` and loopback addresses.
    var allowsPlainHTTP: Bool {
        let host = apiHost.hasPrefix("[") ? String(apiHost.dropFirst().prefix { $0 != "]" })
            : String(apiHost.prefix { $0 != ":" })
        return host == "localhost" || host.hasPrefix("127.") || host == "::1"
    }

    /// `host[:port]` of an http(s) URL.
    static func host(of url: String) -> String? {
        for scheme in ["https://", "http://"] where url.hasPrefix(scheme) {
            return String(url.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        }
        return nil
    }

    /// The familiar name errors use (`busybox`, `127.0.0.1:5000/tools/x`).
    var name: String { reference.familiarRepository }

    // MARK: Requests

    /// Sends `method` to `/v2/<name>/<tail>` (or `absoluteURL`), authenticating as the registry
    /// asks; a 2xx body goes to `sink`.
    func send(_ method: String, _ tail: String, absoluteURL: String? = nil, headers: [String] = [],
              body: HTTPRequest.Body = .none, rangeStart: Int64? = nil,
              sink: HTTPBodySink? = nil) throws -> HTTPResponse {
        let base = try baseURL()
        let url = absoluteURL ?? "\(base)/v2/\(reference.path)/\(tail)"
        var response = try HTTPTransfer.perform(request(method, url, headers, body, rangeStart), sink: sink)
        if response.status == 401, let header = response.header("www-authenticate"),
           let challenge = AuthenticationChallenge(header: header) {
            try authenticate(challenge)
            response = try HTTPTransfer.perform(request(method, url, headers, body, rangeStart), sink: sink)
        }
        return response
    }

    private func request(_ method: String, _ url: String, _ headers: [String], _ body: HTTPRequest.Body,
                         _ rangeStart: Int64?) -> HTTPRequest {
        var all = headers
        // Our token is for the registry: never sent to another host an upload's Location names.
        if let authorization = locked({ authorization }), RegistryRepository.host(of: url) == apiHost {
            all.append("Authorization: \(authorization)")
        }
        return HTTPRequest(method: method, url: url, headers: all, body: body, rangeStart: rangeStart)
    }

    /// `https://host` or, where allowed and HTTPS is not spoken, `http://host`; found once by
    /// the version check (`GET /v2/`), whose 401 also tells how to authenticate.
    func baseURL() throws -> String {
        if let scheme = locked({ scheme }) { return "\(scheme)://\(apiHost)" }
        var chosen = "https"
        var response: HTTPResponse
        do {
            response = try HTTPTransfer.perform(HTTPRequest(url: "https://\(apiHost)/v2/"))
        } catch is CellError where allowsPlainHTTP {
            response = try HTTPTransfer.perform(HTTPRequest(url: "http://\(apiHost)/v2/"))
            chosen = "http"
        }
        locked { scheme = chosen }
        if response.status == 401, let header = response.header("www-authenticate"),
           let challenge = AuthenticationChallenge(header: header), challenge.scheme == "basic" {
            try authenticate(challenge)
        }
        return "\(chosen)://\(apiHost)"
    }

    /// Answers a challenge: a Bearer token for this repository's scope, or Basic credentials.
    private func authenticate(_ challenge: AuthenticationChallenge) throws {
        switch challenge.scheme {
        case "basic":
            guard let credentials else { throw denied("no basic auth credentials") }
            locked { authorization = "Basic \(credentials.basicToken)" }
        case "bearer":
            guard let realm = challenge.realm, realm.hasPrefix("https://") || realm.hasPrefix("http://") else {
                throw CellError.invalidInput("\(reference.domain) asked for a token without a usable realm")
            }
            var query: [String] = []
            if let service = challenge.parameters["service"] { query.append("service=\(URLQuery.escape(service))") }
            query.append("scope=\(URLQuery.escape(challenge.parameters["scope"] ?? "repository:\(reference.path):\(actions)"))")
            let url = realm + (realm.contains("?") ? "&" : "?") + query.joined(separator: "&")
            var headers: [String] = []
            if let credentials { headers.append("Authorization: Basic \(credentials.basicToken)") }
            let response = try HTTPTransfer.perform(HTTPRequest(url: url, headers: headers))
            guard response.isSuccess else {
                if response.status == 401 { throw denied("unauthorized: incorrect username or password") }
                throw CellError.system("token from \(realm): \(RegistryError.describe(response))")
            }
            let document = try? JSONValue(parsing: response.body)
            guard let token = document?["token"]?.stringValue ?? document?["access_token"]?.stringValue, !token.isEmpty else {
                throw CellError.invalidInput("the token server at \(realm) sent no token")
            }
            locked { authorization = "Bearer \(token)" }
        default:
            throw CellError.invalidInput("\(reference.domain) asks for \(challenge.scheme) authentication, which cell does not speak")
        }
    }

    func denied(_ reason: String) -> CellError {
        CellError.conflict("\(actions.contains("push") ? "push" : "pull") access denied for \(name), repository does not exist or may require 'cell login': \(reason)")
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

/// A user and password (or token) for a registry.
public struct RegistryCredentials: Sendable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// base64(user:password), as `Authorization: Basic` and Docker's config.json write it.
    public var basicToken: String { Base64.encode(Array("\(username):\(password)".utf8)) }
}
