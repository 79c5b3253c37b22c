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

    /// A pull takes what it can, as moby's: a header that does not decode is no credentials.
    static func credentialsIfReadable(_ header: String?) -> RegistryCredentials? {
        (try? credentials(header)) ?? nil
    }
}
