#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellFormat

/// Docker's client configuration, `$DOCKER_CONFIG/config.json` (else `~/.docker/config.json`):
/// the `auths` that `login` writes (`{"auth": base64("user:password")}` by registry key), the
/// `credsStore` and `credHelpers` that send credentials to a helper instead. Every other key is
/// kept as it was, in its place (Docker's CLI drops keys it does not know; other tools keep
/// theirs in the same file). Podman's auth.json has the same `auths` shape, so it is read here too.
public struct DockerConfigFile {
    public let path: String
    /// The file's top-level members, in order.
    private var members: [(String, JSONValue)]

    /// `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
    public static func standardPath() -> String {
        if let directory = environment("DOCKER_CONFIG") { return "\(directory)/config.json" }
        return "\(homeDirectory())/.docker/config.json"
    }

    /// Reads the file; a missing one is empty.
    public init(path: String) throws {
        self.path = path
        members = []
        guard let bytes = try FileSystem.readFileIfPresent(path) else { return }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x09 || $0 == 0x0d }) { return }
        guard let document = try? JSONValue(parsing: bytes), let pairs = document.objectValue else {
            throw CellError.invalidInput("\(path) is not a JSON object: fix or remove it")
        }
        members = pairs
    }

    /// `credsStore`: the helper that keeps every registry's credentials.
    public var credentialsStore: String? { nonEmpty(self["credsStore"]?.stringValue) }

    /// `credHelpers[key]`: the helper for one registry.
    public func credentialHelper(for key: String) -> String? {
        nonEmpty(self["credHelpers"]?[key]?.stringValue)
    }

    /// The credentials `auths` holds for `key`: its own entry, or the first whose key names the
    /// same host (`https://host/v1/` for `host`), as Docker's file store finds them.
    public func credentials(for key: String) -> RegistryCredentials? {
        guard let auths = self["auths"]?.objectValue else { return nil }
        let entry = auths.last { $0.0 == key }?.1
            ?? auths.first { RegistryHost.hostname(ofServer: $0.0) == RegistryHost.hostname(ofServer: key) }?.1
        return entry.flatMap(DockerConfigFile.decode)
    }

    /// An entry's credentials: `auth` (base64 of `user:password`), else `username`/`password`.
    static func decode(_ entry: JSONValue) -> RegistryCredentials? {
        if let auth = entry["auth"]?.stringValue, !auth.isEmpty {
            guard let bytes = Base64.decode(auth), let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            let username = String(decoding: bytes[..<colon], as: UTF8.self)
            let password = String(decoding: bytes[(colon + 1)...], as: UTF8.self)
            return username.isEmpty ? nil : RegistryCredentials(username: username, password: password)
        }
        if let username = entry["username"]?.stringValue, let password = entry["password"]?.stringValue, !username.isEmpty {
            return RegistryCredentials(username: username, password: password)
        }
        return nil
    }

    /// Sets `auths[key]`: the credentials, or (nil) an empty entry, which records a login whose
    /// secret a helper keeps, as Docker writes it.
    public mutating func setCredentials(_ credentials: RegistryCredentials?, for key: String) {
        let entry: JSONValue = credentials.map { ["auth": .string($0.basicToken)] } ?? .object([])
        var auths = (self["auths"]?.objectValue ?? []).filter { $0.0 != key }
        auths.append((key, entry))
        self["auths"] = .object(auths)
    }

    /// Removes `auths[key]`; whether there was one.
    @discardableResult
    public mutating func removeCredentials(for key: String) -> Bool {
        guard let auths = self["auths"]?.objectValue, auths.contains(where: { $0.0 == key }) else { return false }
        self["auths"] = .object(auths.filter { $0.0 != key })
        return true
    }

    /// Writes the file as Docker does (tab-indented, `auths` sorted by key), atomically and
    /// readable by its owner alone; a missing folder is made, private. A symbolic link to the
    /// file is followed, so the link stays.
    public func write() throws {
        var ordered = members
        if let index = ordered.firstIndex(where: { $0.0 == "auths" }), let auths = ordered[index].1.objectValue {
            ordered[index].1 = .object(auths.sorted { $0.0 < $1.0 })
        }
        let target = FileSystem.realPath(path) ?? path
        let folder = FileSystem.dirname(of: target)
        if !FileSystem.exists(folder) { try FileSystem.createDirectory(folder, mode: 0o700) }
        try FileSystem.writeAtomically(Array(JSONValue.object(ordered).serialized(indent: "\t").utf8), to: target, mode: 0o600)
    }

    private subscript(key: String) -> JSONValue? {
        get { members.last { $0.0 == key }?.1 }
        set {
            if let index = members.lastIndex(where: { $0.0 == key }) {
                if let newValue { members[index].1 = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    private func nonEmpty(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `$HOME`, else the user database's home of this uid.
    static func homeDirectory() -> String {
        if let home = environment("HOME") { return home }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir { return String(cString: directory) }
        return "/"
    }
}
