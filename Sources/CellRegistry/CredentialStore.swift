import CellCore
import CellImage

/// Where registry credentials are kept, found as the Docker CLI finds them, then as Podman does:
///
/// 1. Docker's config.json (`DockerConfigFile`): the registry's `credHelpers` entry, else the
///    `credsStore` helper, else `auths` (a helper's "not found" is no credentials);
/// 2. Podman's auth.json (`REGISTRY_AUTH_FILE`, else `$XDG_RUNTIME_DIR/containers/auth.json`):
///    the most specific of `host/namespace/repository`, `host/namespace`, `host`.
///
/// Keys are Docker's: `https://index.docker.io/v1/` for Docker Hub, `host[:port]` for others.
/// `login` and `logout` write through the same rules: to the registry's helper, or the file.
public struct CredentialStore: Sendable {
    public var dockerConfigPath: String
    public var podmanAuthPath: String?

    public init(dockerConfigPath: String, podmanAuthPath: String?) {
        self.dockerConfigPath = dockerConfigPath
        self.podmanAuthPath = podmanAuthPath
    }

    /// The files this user's environment names.
    public init() {
        let podman = DockerConfigFile.environment("REGISTRY_AUTH_FILE")
            ?? DockerConfigFile.environment("XDG_RUNTIME_DIR").map { "\($0)/containers/auth.json" }
        self.init(dockerConfigPath: DockerConfigFile.standardPath(), podmanAuthPath: podman)
    }

    /// The credentials for pulling or pushing `reference` from the registry at `host` (its own
    /// registry, or a mirror's host).
    public func credentials(for reference: ImageReference, host: String? = nil) throws -> RegistryCredentials? {
        let key = host ?? RegistryHost.credentialKey(ofDomain: reference.domain)
        if let found = try dockerCredentials(for: key) { return found }
        guard let podmanAuthPath else { return nil }
        let podman = try DockerConfigFile(path: podmanAuthPath)
        // Podman's keys: docker.io for Docker Hub, and repository-scoped ones, most specific first.
        let domain = host ?? reference.domain
        var candidates: [String] = []
        if host == nil {
            var parts = reference.path.split(separator: "/").map(String.init)
            while !parts.isEmpty {
                candidates.append("\(domain)/\(parts.joined(separator: "/"))")
                parts.removeLast()
            }
        }
        candidates.append(domain)
        if key != domain { candidates.append(key) }
        for candidate in candidates {
            if let found = podman.credentials(for: candidate) { return found }
        }
        return nil
    }

    /// What Docker's config.json gives for `key`: its helper's answer, or `auths`.
    public func dockerCredentials(for key: String) throws -> RegistryCredentials? {
        let file = try DockerConfigFile(path: dockerConfigPath)
        if let helper = helper(for: key, in: file) { return try helper.get(key) }
        return file.credentials(for: key)
    }

    /// Where `store` put the credentials: a helper, or the file itself (in clear, base64).
    public enum Place: Equatable, Sendable {
        case helper(String)
        case file(String)
    }

    /// Keeps `credentials` for `key` (after a login checked them).
    @discardableResult
    public func store(_ credentials: RegistryCredentials, for key: String) throws -> Place {
        var file = try DockerConfigFile(path: dockerConfigPath)
        if let helper = helper(for: key, in: file) {
            try helper.store(key, credentials)
            // The login is recorded in the file without its secret, as Docker records it.
            file.setCredentials(nil, for: key)
            try file.write()
            return .helper(helper.name)
        }
        file.setCredentials(credentials, for: key)
        try file.write()
        return .file(file.path)
    }

    /// Forgets what is kept for `key`, in the file and in its helper.
    public func erase(_ key: String) throws {
        var file = try DockerConfigFile(path: dockerConfigPath)
        if file.removeCredentials(for: key) { try file.write() }
        if let helper = helper(for: key, in: file) { try helper.erase(key) }
    }

    private func helper(for key: String, in file: DockerConfigFile) -> CredentialHelper? {
        (file.credentialHelper(for: key) ?? file.credentialsStore).map(CredentialHelper.init)
    }
}
