#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// A registry's API host as cell speaks to it, found once by the version check (`GET /v2/`).
///
/// HTTPS first, its certificate checked against the system's trust store and the CAs of the
/// host's certs.d folders (`TransportSecurity`). Plain HTTP only where Docker allows it without
/// a setting, loopback, and for registries named insecure in cell's configuration (which are
/// also spoken to over TLS without checks, as Docker's daemon does). A loopback server that
/// speaks TLS with a certificate cell cannot check is an error, not a reason to try plain HTTP:
/// the server is there and speaks TLS, and what it shows is not to be trusted.
final class RegistryEndpoint: @unchecked Sendable {
    /// `host[:port]`, as URLs write it.
    let host: String
    let configuration: RegistryConfiguration
    let security: TransportSecurity
    private var mutex = pthread_mutex_t()
    private var scheme: String?

    /// `scheme` fixes it (a mirror's URL says which).
    init(host: String, scheme: String? = nil, configuration: RegistryConfiguration) throws {
        self.host = host
        self.configuration = configuration
        self.scheme = scheme
        security = try TransportSecurity.forHost(host, configuration: configuration)
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    var allowsPlainHTTP: Bool { RegistryHost.isLoopback(host) || configuration.isInsecure(host) }

    /// `scheme://host`, and the version check's answer when this call made it (its 401 tells
    /// how to authenticate).
    func base() throws -> (url: String, ping: HTTPResponse?) {
        pthread_mutex_lock(&mutex)
        let known = scheme
        pthread_mutex_unlock(&mutex)
        if let known { return ("\(known)://\(host)", nil) }
        var chosen = "https"
        var response: HTTPResponse
        var failure: HTTPTransfer.Failure?
        do {
            response = try HTTPTransfer.perform(HTTPRequest(url: "https://\(host)/v2/", security: security), failure: &failure)
        } catch let error as CellError where allowsPlainHTTP && failure != .certificate {
            response = try HTTPTransfer.perform(HTTPRequest(url: "http://\(host)/v2/"))
            // A TLS server's answer to plain HTTP (Go's "Client sent an HTTP request to an HTTPS
            // server"): what went wrong is what HTTPS met, a client certificate it wants, say.
            if response.status == 400 { throw error }
            chosen = "http"
        }
        pthread_mutex_lock(&mutex)
        scheme = chosen
        pthread_mutex_unlock(&mutex)
        return ("\(chosen)://\(host)", response)
    }

    /// A request to this host, with its TLS settings.
    func request(_ method: String = "GET", _ url: String, headers: [String] = [], body: HTTPRequest.Body = .none,
                 rangeStart: Int64? = nil) -> HTTPRequest {
        HTTPRequest(method: method, url: url, headers: headers, body: body, rangeStart: rangeStart, security: security)
    }
}
