import CellCore
import CellFormat
import CellImage

/// `cell search`: a registry's search (`GET /v1/search`, which Docker Hub and Harbor answer),
/// or, where there is none (the distribution registry has no search), the repositories of its
/// catalog (`GET /v2/_catalog`) whose names contain the term.
public enum RegistrySearch {
    public struct Result: Sendable, Equatable {
        public var name: String
        public var description: String
        public var starCount: Int
        public var isOfficial: Bool
    }

    /// `text` is `[REGISTRY/]TERM`; the first `limit` results (Docker's default is 25).
    /// Credentials are those given, else the `credentialStore`'s for the registry.
    public static func search(_ text: String, limit: Int, credentials: RegistryCredentials? = nil,
                              credentialStore: CredentialStore? = nil) throws -> [Result] {
        var domain = ImageReference.defaultDomain
        var term = text
        if let slash = text.firstIndex(of: "/"), ImageReference.looksLikeRegistry(String(text[..<slash])) {
            domain = String(text[..<slash])
            term = String(text[text.index(after: slash)...])
        }
        // A repository handle on the registry, for its scheme and authentication.
        let handle = try ImageReference(parsing: "\(domain)/search")
        let found = try credentials ?? credentialStore?.dockerCredentials(for: RegistryHost.credentialKey(ofDomain: domain))
        let repository = RegistryRepository(reference: handle, credentials: found)
        let host = domain == ImageReference.defaultDomain ? "index.docker.io" : domain
        let base = domain == ImageReference.defaultDomain ? "https://\(host)" : try repository.baseURL()
        let security = try TransportSecurity.forHost(host, configuration: try RegistryConfiguration.current())
        let response = try HTTPTransfer.perform(HTTPRequest(url: "\(base)/v1/search?q=\(URLQuery.escape(term))&n=\(limit)", security: security))
        if response.isSuccess, let results = (try? JSONValue(parsing: response.body))?["results"]?.arrayValue {
            return Array(results.map { result in
                Result(name: result["name"]?.stringValue ?? "", description: result["description"]?.stringValue ?? "",
                       starCount: Int(result["star_count"]?.integerValue ?? 0), isOfficial: result["is_official"]?.boolValue ?? false)
            }.prefix(limit))
        }
        guard [400, 404, 405, 501].contains(response.status) else {
            throw CellError.system("Unexpected status code \(response.status)")
        }
        // The catalog, page by page (the distribution registry gives at most 1000 a page and
        // names the next in a Link header).
        var names: [String] = []
        var next: String? = "/v2/_catalog?n=1000"
        var pages = 0
        while let path = next, pages < 20 {
            pages += 1
            let catalog = try repository.send("GET", "", absoluteURL: base + path)
            guard catalog.isSuccess else {
                if catalog.status == 401 || catalog.status == 403 { throw repository.denied(RegistryError.describe(catalog)) }
                throw CellError.system("Unexpected status code \(catalog.status)")
            }
            names += (try? JSONValue(parsing: catalog.body))?["repositories"]?.arrayValue?.compactMap(\.stringValue) ?? []
            next = catalog.header("link").flatMap { link in
                link.hasPrefix("</v2/_catalog?") ? String(link.dropFirst().prefix { $0 != ">" }) : nil
            }
        }
        return names.filter { term.isEmpty || $0.contains(term.lowercased()) }.prefix(limit).map {
            Result(name: "\(domain)/\($0)", description: "", starCount: 0, isOfficial: false)
        }
    }
}
