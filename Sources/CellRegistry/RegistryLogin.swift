import CellCore

/// `login`'s check of credentials before they are kept, as Docker's: the version check
/// (`GET /v2/`), then the challenge it answers with met with them (Basic, or a token fetched
/// with them and no scope), then `GET /v2/` again; only a 200 is success.
public enum RegistryLogin {
    /// Checks `credentials` against the registry that `key` (a config.json key: `host[:port]` or
    /// Docker Hub's) names. Throws Docker's error when the registry refuses them.
    public static func verify(_ credentials: RegistryCredentials, key: String) throws {
        let configuration = try RegistryConfiguration.current()
        let host = key == RegistryHost.dockerHubKey ? RegistryHost.apiHost(ofDomain: "docker.io") : RegistryHost.hostname(ofServer: key)
        let endpoint = try RegistryEndpoint(host: host, configuration: configuration)
        let (base, ping) = try endpoint.base()
        let url = "\(base)/v2/"
        guard let ping, ping.status == 401 else {
            if let ping, ping.status != 200 { throw failed(url, ping.status) }
            return
        }
        guard let header = ping.header("www-authenticate"), let challenge = AuthenticationChallenge(header: header) else {
            throw failed(url, ping.status)
        }
        let authorization: String
        switch challenge.scheme {
        case "basic":
            authorization = "Basic \(credentials.basicToken)"
        case "bearer":
            do {
                let token = try BearerToken.fetch(for: challenge, scopes: [], credentials: credentials,
                                                  configuration: configuration, registry: host)
                authorization = "Bearer \(token.value)"
            } catch let error as CellError where error.kind == .conflict {
                throw CellError.conflict("Get \"\(url)\": \(error.message)")
            }
        default:
            throw CellError.invalidInput("\(host) asks for \(challenge.scheme) authentication, which cell does not speak")
        }
        let answer = try HTTPTransfer.perform(endpoint.request("GET", url, headers: ["Authorization: \(authorization)"]))
        guard answer.status == 200 else { throw failed(url, answer.status) }
    }

    /// Docker's words for a refusal.
    static func failed(_ url: String, _ status: Int) -> CellError {
        CellError.conflict("login attempt to \(url) failed with status: \(status) \(statusText(status))")
    }

    /// Go's http.StatusText for what a registry answers.
    static func statusText(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return ""
        }
    }
}
