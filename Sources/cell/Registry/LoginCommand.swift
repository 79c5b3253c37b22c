#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellCore
import CellRegistry

/// `cell login`: credentials checked against the registry, then kept where Docker keeps them
/// (config.json, or its credential helper), with the Docker CLI's flags, prompts, messages and
/// exit statuses. Neither the password nor its base64 ever reaches an error or a log.
struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Authenticate to a registry.",
        discussion: "Defaults to Docker Hub if no server is specified.")

    @Option(name: [.customShort("p"), .long], help: "Password or Personal Access Token (PAT)")
    var password: String?

    @Flag(name: .customLong("password-stdin"), help: "Take the Password or Personal Access Token (PAT) from stdin")
    var passwordStdin = false

    @Option(name: [.customShort("u"), .long], help: "Username")
    var username: String?

    @Argument(help: "SERVER")
    var server: String?

    func run() throws {
        // The Docker CLI's checks of its flags, its words, exit 1.
        if passwordStdin && password != nil { fail("conflicting options: cannot specify both --password and --password-stdin") }
        if passwordStdin && username == nil { fail("the --password-stdin option requires --username to be set") }
        if username == "" { fail("username is empty") }
        if password == "" { fail("password is empty") }
        var password = self.password
        if password != nil { Output.error("WARNING! Using --password via the CLI is insecure. Use --password-stdin.") }
        if passwordStdin { password = LoginCommand.readPassword() }

        let key = RegistryHost.credentialKey(ofServer: server ?? "")
        let store = CredentialStore()
        var stored: RegistryCredentials?
        if username == nil && password == nil {
            stored = try saying { try store.dockerCredentials(for: key) }
            if let stored, try loginWithStored(stored, key: key, store: store) { return }
        }
        let credentials = try ask(username: username, password: password, defaultUsername: stored?.username, key: key)
        try DaemonError.reporting { try RegistryLogin.verify(credentials, key: key) }
        try keep(credentials, key: key, store: store)
        Output.line("Login Succeeded")
    }

    /// Docker's try of what is kept before it asks: true when the registry still takes it.
    private func loginWithStored(_ stored: RegistryCredentials, key: String, store: CredentialStore) throws -> Bool {
        Output.error("Authenticating with existing credentials... [Username: \(stored.username)]\n\n"
                     + " Info -> To login with a different account, run 'cell logout' followed by 'cell login'\n\n")
        do {
            try RegistryLogin.verify(stored, key: key)
        } catch let error as CellError {
            Output.error(error.kind == .conflict ? "Stored credentials invalid or expired" : "Login did not succeed, error: \(error.message)")
            return false
        }
        try keep(stored, key: key, store: store)
        Output.line("Login Succeeded")
        return true
    }

    /// What the flags did not give, asked on the terminal as Docker asks it.
    private func ask(username: String?, password: String?, defaultUsername: String?, key: String) throws -> RegistryCredentials {
        if let username, let password, !password.trimmedWhitespace.isEmpty {
            return RegistryCredentials(username: username.trimmedWhitespace, password: password)
        }
        guard TerminalPrompt.isInteractive else { fail("Error: Cannot perform an interactive login from a non TTY device") }
        var user = username?.trimmedWhitespace ?? ""
        if username == nil {
            if key == RegistryHost.dockerHubKey {
                Output.line("Log in with your Docker ID or email address to push and pull images from Docker Hub. If you don't have a Docker ID, head over to https://hub.docker.com/ to create one.")
            }
            let prompt = defaultUsername.map { "Username (\($0)): " } ?? "Username: "
            user = TerminalPrompt.ask(prompt)?.trimmedWhitespace ?? ""
            if user.isEmpty, let defaultUsername { user = defaultUsername }
        }
        if user.isEmpty { fail("Error: Non-null Username Required") }
        var secret = password ?? ""
        if secret.trimmedWhitespace.isEmpty {
            secret = TerminalPrompt.askSecret("Password: ") ?? ""
        }
        if secret.isEmpty { fail("Error: Password Required") }
        return RegistryCredentials(username: user, password: secret)
    }

    /// Keeps checked credentials; the file store's warning, as Docker prints it.
    private func keep(_ credentials: RegistryCredentials, key: String, store: CredentialStore) throws {
        let place: CredentialStore.Place
        do {
            place = try store.store(credentials, for: key)
        } catch let error as CellError {
            fail("error saving credentials: \(error.message)")
        }
        if case .file(let path) = place {
            Output.error("\nWARNING! Your credentials are stored unencrypted in '\(path)'.\n"
                         + "Configure a credential helper to remove this warning. See\n"
                         + "https://docs.docker.com/go/credential-store/\n")
        }
    }

    /// `--password-stdin`: all of stdin, less one line end (a secret may hold any other byte).
    static func readPassword() -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(0, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A config file or helper that fails: its one line, exit 1.
    private func saying<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CellError {
            fail(error.message)
        }
    }

    /// The Docker CLI's own errors: the line as it is, exit 1.
    private func fail(_ message: String) -> Never {
        Output.error(message)
        Output.flush()
        Glibc.exit(1)
    }
}
