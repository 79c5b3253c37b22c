import CellCore
import CellFormat
import CellRegistry

/// `X-Registry-Auth`: the credentials a client sends with a pull or a push, base64url of a JSON
/// `AuthConfig` (`username`, `password`, `serveraddress`, ...), as the docker CLI and docker-py
/// write it. The service keeps no credentials of its own: only these reach the registry, as with
/// Docker's daemon.
enum RegistryAuthHeader {
    static let name = "X-Registry-Auth"

    /// The credentials in `header`; nil when it is absent or names no user (the CLI sends `{}`
    /// before any login). Bad base64 or JSON is Docker's 400.
    static func credentials(_ header: String?) throws -> RegistryCredentials? {
        guard let header, !header.isEmpty else { return nil }
        guard let bytes = Base64.decode(header) else {
            throw APIError.badRequest("invalid X-Registry-Auth header: illegal base64 data")
        }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes)
        } catch {
            throw APIError.badRequest("invalid X-Registry-Auth header: \(error)")
        }
        guard document.objectValue != nil else {
            throw APIError.badRequest("invalid X-Registry-Auth header: not a JSON object")
        }
        let username = document["username"]?.stringValue ?? ""
        let password = document["password"]?.stringValue ?? ""
        guard !username.isEmpty || !password.isEmpty else { return nil }
        return RegistryCredentials(username: username, password: password)
    }

    /// `X-Registry-Config`: a build's credentials for the registries its FROM images come from,
    /// base64url of a JSON object of `AuthConfig`s by server (`https://index.docker.io/v1/`,
    /// `127.0.0.1:5000`), as the docker CLI and docker-py send it; keyed here by credentials key.
    /// As moby's, a header that does not decode is no credentials.
    static let configurationName = "X-Registry-Config"

    static func credentialsByRegistry(_ header: String?) -> [String: RegistryCredentials] {
        guard let header, !header.isEmpty, let bytes = Base64.decode(header),
              let pairs = (try? JSONValue(parsing: bytes))?.objectValue else { return [:] }
        var found: [String: RegistryCredentials] = [:]
        for (server, document) in pairs {
            let username = document["username"]?.stringValue ?? "", password = document["password"]?.stringValue ?? ""
            guard !username.isEmpty || !password.isEmpty else { continue }
            found[RegistryHost.credentialKey(ofServer: server)] = RegistryCredentials(username: username, password: password)
        }
        return found
    }

    /// A pull takes what it can, as moby's: a header that does not decode is no credentials.
    static func credentialsIfReadable(_ header: String?) -> RegistryCredentials? {
        (try? credentials(header)) ?? nil
    }
}
