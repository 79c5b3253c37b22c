#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellFormat
import CellImage

/// One repository of a registry, as the OCI Distribution API serves it (`/v2/<name>/...`):
/// manifests and blobs, with the authentication the registry asks for.
///
/// The scheme and TLS are the `RegistryEndpoint`'s (HTTPS, checked; plain HTTP for loopback and
/// insecure registries). A 401 names a Bearer realm (a token is fetched for the repository's
/// scope and the request sent again; a token refused or past its time is fetched once more) or
/// Basic (credentials are sent, when there are any). Safe to share between the threads of
/// parallel downloads: the token is kept under a lock.
public final class RegistryRepository: @unchecked Sendable {
    public let reference: ImageReference
    public let credentials: RegistryCredentials?
    /// "pull", or "pull,push".
    let actions: String
    /// `https://host` of a mirror that stands in for the reference's registry.
    let mirror: String?
    private var mutex = pthread_mutex_t()
    private var endpoint: RegistryEndpoint?
    private var authorization: String?
    /// The Bearer token's, when that is what `authorization` holds, and the challenge it answered.
    private var token: (expiry: Int, challenge: AuthenticationChallenge)?

    public init(reference: ImageReference, credentials: RegistryCredentials? = nil, actions: String = "pull", mirror: String? = nil) {
        self.reference = reference
        self.credentials = credentials
        self.actions = actions
        self.mirror = mirror
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    /// The host requests go to: a mirror's, or the registry's API host.
    var apiHost: String { mirror.flatMap { RegistryHost.parts(ofURL: $0)?.host } ?? RegistryHost.apiHost(ofDomain: reference.domain) }

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
        if let held = locked({ token }), Int(time(nil)) >= held.expiry {
            try authenticate(held.challenge)
        }
        var response = try HTTPTransfer.perform(request(method, url, headers, body, rangeStart), sink: sink)
        var answered = 0
        while response.status == 401, answered < 2, let header = response.header("www-authenticate"),
              let challenge = AuthenticationChallenge(header: header) {
            // Basic credentials refused once are wrong; sending them again changes nothing. A
            // token may be refused once (it expired on the way, or covers another scope).
            if answered > 0 && challenge.scheme == "basic" { break }
            answered += 1
            try authenticate(challenge)
            response = try HTTPTransfer.perform(request(method, url, headers, body, rangeStart), sink: sink)
        }
        return response
    }

    private func request(_ method: String, _ url: String, _ headers: [String], _ body: HTTPRequest.Body,
                         _ rangeStart: Int64?) throws -> HTTPRequest {
        var all = headers
        let endpoint = try currentEndpoint()
        // Our token is for the registry: never sent to another host an upload's Location names,
        // which is checked with its own certs.d.
        let host = RegistryRepository.host(of: url)
        guard host == apiHost else {
            let security = try TransportSecurity.forHost(host ?? "", configuration: endpoint.configuration)
            return HTTPRequest(method: method, url: url, headers: all, body: body, rangeStart: rangeStart, security: security)
        }
        if let authorization = locked({ authorization }) { all.append("Authorization: \(authorization)") }
        return endpoint.request(method, url, headers: all, body: body, rangeStart: rangeStart)
    }

    /// The endpoint, made on first use (reading the configuration and certs.d may fail).
    private func currentEndpoint() throws -> RegistryEndpoint {
        if let endpoint = locked({ endpoint }) { return endpoint }
        let scheme = mirror.flatMap { RegistryHost.parts(ofURL: $0)?.scheme }
        let made = try RegistryEndpoint(host: apiHost, scheme: scheme, configuration: try RegistryConfiguration.current())
        return locked {
            if endpoint == nil { endpoint = made }
            return endpoint!
        }
    }

    /// `https://host` or, where allowed and HTTPS is not spoken, `http://host`; found once by
    /// the version check (`GET /v2/`), whose 401 also tells how to authenticate.
    func baseURL() throws -> String {
        let (base, ping) = try currentEndpoint().base()
        if let ping, ping.status == 401, let header = ping.header("www-authenticate"),
           let challenge = AuthenticationChallenge(header: header), challenge.scheme == "basic" {
            try authenticate(challenge)
        }
        return base
    }

    /// Answers a challenge: a Bearer token for this repository's scope, or Basic credentials.
    private func authenticate(_ challenge: AuthenticationChallenge) throws {
        switch challenge.scheme {
        case "basic":
            guard let credentials else { throw denied("no basic auth credentials") }
            locked {
                authorization = "Basic \(credentials.basicToken)"
                token = nil
            }
        case "bearer":
            // A challenge may name several scopes, space-separated (a blob mount's: this
            // repository's pull,push and the source's pull); each is a scope parameter of its own.
            let scopes = (challenge.parameters["scope"] ?? "repository:\(reference.path):\(actions)")
                .split(separator: " ").map(String.init)
            let fetched: BearerToken
            do {
                fetched = try BearerToken.fetch(for: challenge, scopes: scopes, credentials: credentials,
                                                configuration: try RegistryConfiguration.current(), registry: reference.domain)
            } catch let error as CellError where error.kind == .conflict {
                throw denied(error.message)
            }
            locked {
                authorization = "Bearer \(fetched.value)"
                token = (fetched.expiry, challenge)
            }
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
