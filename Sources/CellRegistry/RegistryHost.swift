import CellImage

/// Registry host names as Docker spells them in its three places: image references
/// (`docker.io`, `127.0.0.1:5000`), the API's host (`registry-1.docker.io`) and the keys of
/// config.json's `auths` (`https://index.docker.io/v1/` for Docker Hub, `host:port` for the rest).
public enum RegistryHost {
    /// Docker Hub's key in config.json, credential helpers and `login`'s messages.
    public static let dockerHubKey = "https://index.docker.io/v1/"

    /// docker.io's API answers at registry-1.docker.io.
    public static func apiHost(ofDomain domain: String) -> String {
        domain == ImageReference.defaultDomain ? "registry-1.docker.io" : domain
    }

    /// The credentials key of an image reference's domain.
    public static func credentialKey(ofDomain domain: String) -> String {
        domain == ImageReference.defaultDomain || domain == "index.docker.io" || domain == "registry-1.docker.io"
            ? dockerHubKey : domain
    }

    /// The credentials key of a server as `login`, `/auth` and the API's auth headers name it
    /// (`docker.io`, `https://index.docker.io/v1/`, `registry.lan:5000`, `https://registry.lan/v2/`,
    /// nothing for Docker Hub): Docker Hub's key for Hub under any of its names, else `host[:port]`.
    public static func credentialKey(ofServer server: String) -> String {
        if server.isEmpty || server == dockerHubKey { return dockerHubKey }
        return credentialKey(ofDomain: hostname(ofServer: server))
    }

    /// What `login SERVER` and a config.json key name, reduced to `host[:port]` as Docker's
    /// ConvertToHostname does: no scheme, nothing from the first slash on.
    public static func hostname(ofServer server: String) -> String {
        var text = Substring(server)
        for scheme in ["http://", "https://"] where text.hasPrefix(scheme) {
            text = text.dropFirst(scheme.count)
        }
        return String(text.prefix { $0 != "/" })
    }

    /// `host` without its port (`[::1]:5000` → `::1`).
    public static func name(of host: String) -> String {
        if host.hasPrefix("[") { return String(host.dropFirst().prefix { $0 != "]" }) }
        return String(host.prefix { $0 != ":" })
    }

    /// Docker's rule for plain HTTP without asking: `localhost` and loopback addresses.
    public static func isLoopback(_ host: String) -> Bool {
        let name = name(of: host)
        return name == "localhost" || name.hasPrefix("127.") || name == "::1"
    }

    /// The scheme and `host[:port]` of an http(s) URL; nil for any other, or one with a user in it.
    public static func parts(ofURL url: String) -> (scheme: String, host: String)? {
        for scheme in ["https", "http"] where url.lowercased().hasPrefix(scheme + "://") {
            let rest = url.dropFirst(scheme.count + 3)
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            guard !authority.contains("@") else { return nil }
            return (scheme, String(authority))
        }
        return nil
    }
}
