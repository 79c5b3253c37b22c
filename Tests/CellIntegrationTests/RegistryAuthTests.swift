import Foundation
import Testing

/// `login`, `logout` and authenticated pulls against registries no one here wrote (Debian's
/// docker-registry behind htpasswd, behind a token server, over TLS with a test CA), with
/// Docker's config.json, credential helpers and Podman's auth file; and against hostile ones
/// (redirects to another host, odd challenges). Every secret is looked for where it must not be.
@Suite("registries: authentication")
struct RegistryAuthTests {
    static let password = "s3cret-Pa55word"
    static var basic: String { Data("alice:\(password)".utf8).base64EncodedString() }

    /// The password and its base64 appear in no output and in no file of the root.
    func expectNoSecrets(in results: [CommandResult], _ settings: RegistrySettings, _ root: CellRoot,
                         sourceLocation: SourceLocation = #_sourceLocation) {
        for result in results {
            for secret in [RegistryAuthTests.password, RegistryAuthTests.basic] {
                #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "a secret in \(result)",
                        sourceLocation: sourceLocation)
            }
        }
        for (path, data) in settings.everything(in: root) where !path.hasPrefix(settings.directory) {
            #expect(data.range(of: Data(RegistryAuthTests.password.utf8)) == nil && data.range(of: Data(RegistryAuthTests.basic.utf8)) == nil,
                    "a secret in \(path)", sourceLocation: sourceLocation)
        }
    }

    @Test func loginFlagsAreCheckedAsDockerChecksThem() throws {
        let settings = try RegistrySettings()
        let root = try CellRoot()
        let cases: [([String], String)] = [
            (["login", "-p", "x", "--password-stdin", "-u", "a"], "conflicting options: cannot specify both --password and --password-stdin\n"),
            (["login", "--password-stdin"], "the --password-stdin option requires --username to be set\n"),
            (["login", "-u", "", "-p", "x"], "username is empty\n"),
            (["login", "-u", "a", "-p", ""], "password is empty\n"),
            (["login", "-u", "a", "127.0.0.1:1"], "Error: Cannot perform an interactive login from a non TTY device\n"),
            (["login", "-u", "a", "--password-stdin", "127.0.0.1:1"], "Error: Cannot perform an interactive login from a non TTY device\n"),
            (["login", "-p", "x", "127.0.0.1:1"], "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\nError: Cannot perform an interactive login from a non TTY device\n"),
        ]
        for (arguments, stderr) in cases {
            let result = try root.cell(arguments, environment: settings.environment)
            #expect(result.status == 1 && result.stderr == stderr, "\(arguments): \(result.stderr)")
        }
        let many = try root.cell(["login", "a", "b"], environment: settings.environment)
        #expect(many.status == 1 && many.stderr == "cell: 'cell login' requires at most 1 argument\n\nUsage:  cell login [OPTIONS] [SERVER]\n\nRun 'cell login --help' for more information\n")
        let logout = try root.cell(["logout", "nothing.example"], environment: settings.environment)
        #expect(logout.status == 0 && logout.stdout == "Removing login credentials for nothing.example\n" && logout.stderr.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: settings.dockerConfig), "nothing to forget, nothing written")
    }

    /// htpasswd Basic auth: a wrong password writes nothing; login keeps the credentials as
    /// Docker does (and every other key of the file); pulls use them; logout forgets them.
    /// Podman's auth file, with a repository-scoped key, is read too.
    @Test func basicAuthLoginPullAndLogout() throws {
        let registry = try LocalRegistry(.init(htpasswd: ["alice": RegistryAuthTests.password]))
        let source = try CellRoot()
        try source.importBusybox()
        try registry.push("busybox", from: source, as: "private/busybox:1", credentials: "alice:\(RegistryAuthTests.password)")
        let settings = try RegistrySettings()
        let original = "{\n\t\"psFormat\": \"table {{.ID}}\",\n\t\"auths\": {\n\t\t\"other.example:5000\": {\n\t\t\t\"auth\": \"eDp5\"\n\t\t}\n\t}\n}"
        try original.write(toFile: settings.dockerConfig, atomically: true, encoding: .utf8)
        let root = try CellRoot()
        let name = "\(registry.address)/private/busybox:1"
        var outputs: [CommandResult] = []

        let anonymous = try settings.cell(root, "pull", name)
        #expect(anonymous.status == 1)
        #expect(anonymous.stderr == "Error response from daemon: pull access denied for \(registry.address)/private/busybox, repository does not exist or may require 'cell login': no basic auth credentials\n")
        let wrong = try settings.cell(root, "login", "-u", "alice", "-p", "wrong", registry.address)
        #expect(wrong.status == 1)
        #expect(wrong.stderr == "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\nError response from daemon: login attempt to http://\(registry.address)/v2/ failed with status: 401 Unauthorized\n")
        #expect(try String(contentsOfFile: settings.dockerConfig, encoding: .utf8) == original, "a refused login writes nothing")

        let login = try settings.cell(root, "login", "-u", "alice", "--password-stdin", registry.address, stdin: RegistryAuthTests.password + "\n")
        outputs.append(login)
        #expect(login.status == 0 && login.stdout == "Login Succeeded\n", "\(login.stderr)")
        #expect(login.stderr == "\nWARNING! Your credentials are stored unencrypted in '\(settings.dockerConfig)'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n")
        #expect(try String(contentsOfFile: settings.dockerConfig, encoding: .utf8) == """
            {
            \t"psFormat": "table {{.ID}}",
            \t"auths": {
            \t\t"\(registry.address)": {
            \t\t\t"auth": "\(RegistryAuthTests.basic)"
            \t\t},
            \t\t"other.example:5000": {
            \t\t\t"auth": "eDp5"
            \t\t}
            \t}
            }
            """)
        let mode = try FileManager.default.attributesOfItem(atPath: settings.dockerConfig)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let pull = try settings.cell(root, "pull", "-q", name)
        outputs.append(pull)
        #expect(pull.status == 0 && pull.stdout == "\(name)\n", "\(pull.stderr)")
        #expect(try settings.cell(root, "run", "--rm", name, "echo", "authenticated").stdout == "authenticated\n")
        // Logged in already: Docker's check of what is kept, nothing asked.
        let again = try settings.cell(root, "login", registry.address)
        outputs.append(again)
        #expect(again.status == 0 && again.stdout == "Login Succeeded\n", "\(again.stderr)")
        #expect(again.stderr.hasPrefix("Authenticating with existing credentials... [Username: alice]\n"))

        let logout = try settings.cell(root, "logout", "http://\(registry.address)/")
        #expect(logout.status == 0 && logout.stdout == "Removing login credentials for \(registry.address)\n", "\(logout.stderr)")
        #expect(try String(contentsOfFile: settings.dockerConfig, encoding: .utf8)
                == "{\n\t\"psFormat\": \"table {{.ID}}\",\n\t\"auths\": {\n\t\t\"other.example:5000\": {\n\t\t\t\"auth\": \"eDp5\"\n\t\t}\n\t}\n}")
        let fresh = try CellRoot()
        #expect(try settings.cell(fresh, "pull", "-q", name).status == 1, "logged out")

        // Podman's file, keyed by host and namespace.
        try #"{"auths": {"\#(registry.address)/private": {"auth": "\#(RegistryAuthTests.basic)"}}}"#
            .write(toFile: settings.podmanAuth, atomically: true, encoding: .utf8)
        let podman = try settings.cell(fresh, "pull", "-q", name)
        outputs.append(podman)
        #expect(podman.status == 0, "\(podman.stderr)")
        try FileManager.default.removeItem(atPath: settings.podmanAuth)
        expectNoSecrets(in: outputs, settings, root)
        expectNoSecrets(in: [], settings, fresh)
    }

    /// Behind a token server: anonymous pulls get what anonymous users are granted, login asks
    /// for a token with no scope, a pull asks for its repository's scope, a token refused as
    /// expired is fetched again, a token server that sends garbage is one line.
    @Test func tokenAuthScopesAndAnExpiredToken() throws {
        let tokens = try TokenServer(users: ["alice": RegistryAuthTests.password])
        let registry = try LocalRegistry(.init(token: tokens))
        let source = try CellRoot()
        try source.importBusybox()
        for repository in ["private/busybox:1", "public/busybox:1"] {
            try registry.push("busybox", from: source, as: repository, credentials: "alice:\(RegistryAuthTests.password)")
        }
        _ = try tokens.takeRequests()
        let settings = try RegistrySettings()
        let root = try CellRoot()
        var outputs: [CommandResult] = []

        let open = try settings.cell(root, "pull", "-q", "\(registry.address)/public/busybox:1")
        #expect(open.status == 0, "\(open.stderr)")
        #expect(try tokens.takeRequests() == [.init(scopes: ["repository:public/busybox:pull"], account: "", basic: false, refused: false, mode: "")])
        let closed = try settings.cell(root, "pull", "\(registry.address)/private/busybox:1")
        #expect(closed.status == 1)
        #expect(closed.stderr == "Error response from daemon: pull access denied for \(registry.address)/private/busybox, repository does not exist or may require 'cell login': unauthorized: authentication required\n")
        #expect(try tokens.takeRequests().allSatisfy { $0.scopes == ["repository:private/busybox:pull"] && !$0.basic })

        let wrong = try settings.cell(root, "login", "-u", "alice", "--password-stdin", registry.address, stdin: "wrong\n")
        #expect(wrong.status == 1)
        #expect(wrong.stderr == "Error response from daemon: Get \"http://\(registry.address)/v2/\": unauthorized: incorrect username or password\n")
        #expect(try tokens.takeRequests() == [.init(scopes: [], account: "alice", basic: true, refused: true, mode: "")])
        #expect(!FileManager.default.fileExists(atPath: settings.dockerConfig))
        let login = try settings.cell(root, "login", "-u", "alice", "--password-stdin", registry.address, stdin: RegistryAuthTests.password)
        outputs.append(login)
        #expect(login.status == 0 && login.stdout == "Login Succeeded\n", "\(login.stderr)")
        #expect(try tokens.takeRequests() == [.init(scopes: [], account: "alice", basic: true, refused: false, mode: "")])

        try tokens.setMode("expired-once")
        let pull = try settings.cell(root, "pull", "-q", "\(registry.address)/private/busybox:1")
        outputs.append(pull)
        #expect(pull.status == 0, "\(pull.stderr)")
        let scope = ["repository:private/busybox:pull"]
        #expect(try tokens.takeRequests() == [.init(scopes: scope, account: "alice", basic: true, refused: false, mode: "expired-once"),
                                              .init(scopes: scope, account: "alice", basic: true, refused: false, mode: "")],
                "the registry refused the expired token, and a fresh one was fetched")

        // A push asks for pull and push on its repository, which only a known user is granted.
        try settings.cell(root, "tag", "\(registry.address)/private/busybox:1", "\(registry.address)/private/mine:1").expectSuccess()
        let push = try settings.cell(root, "push", "-q", "\(registry.address)/private/mine:1")
        outputs.append(push)
        #expect(push.status == 0, "\(push.stderr)")
        // The registry names the actions in its challenge in a Go map's order: pull,push or push,pull.
        let mine = "repository:private/mine:"
        #expect(try tokens.takeRequests().contains { request in
            request.scopes.contains { $0.hasPrefix(mine) && Set($0.dropFirst(mine.count).split(separator: ",")) == ["pull", "push"] }
                && request.account == "alice" && !request.refused
        })
        let anonymousSettings = try RegistrySettings()
        let anonymousPush = try anonymousSettings.cell(root, "push", "\(registry.address)/private/mine:1")
        #expect(anonymousPush.status == 1, "\(anonymousPush.stderr)")
        #expect(anonymousPush.stderr == "Error response from daemon: push access denied for \(registry.address)/private/mine, repository does not exist or may require 'cell login': unauthorized: authentication required\n")

        try tokens.setMode("garbage-once")
        let garbage = try settings.cell(try CellRoot(), "pull", "-q", "\(registry.address)/private/busybox:1")
        #expect(garbage.status == 1)
        #expect(garbage.stderr == "Error response from daemon: unable to decode token response from \(tokens.realm): not a JSON object\n")
        expectNoSecrets(in: outputs, settings, root)
    }

    /// TLS with a test CA: refused in Go's words until the CA is in cell's certs.d; a registry
    /// named insecure is spoken to without checks; one that wants a client certificate gets the
    /// certs.d folder's.
    @Test func tlsIsCheckedAgainstCertsD() throws {
        let certificates = try TestCertificates()
        let registry = try LocalRegistry(.init(htpasswd: ["alice": RegistryAuthTests.password], tls: certificates))
        let source = try CellRoot()
        try source.importBusybox()
        try registry.push("busybox", from: source, as: "tls/busybox:1", credentials: "alice:\(RegistryAuthTests.password)")
        let name = "\(registry.address)/tls/busybox:1"
        let settings = try RegistrySettings()
        let root = try CellRoot()

        let unknown = try settings.cell(root, "login", "-u", "alice", "--password-stdin", registry.address, stdin: RegistryAuthTests.password)
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "Error response from daemon: Get \"https://\(registry.address)/v2/\": tls: failed to verify certificate: x509: certificate signed by unknown authority\n")
        #expect(!FileManager.default.fileExists(atPath: settings.dockerConfig))
        try settings.trust(certificates, for: registry.address)
        let login = try settings.cell(root, "login", "-u", "alice", "--password-stdin", registry.address, stdin: RegistryAuthTests.password)
        #expect(login.status == 0 && login.stdout == "Login Succeeded\n", "\(login.stderr)")
        let pull = try settings.cell(root, "pull", "-q", name)
        #expect(pull.status == 0 && pull.stdout == "\(name)\n", "\(pull.stderr)")
        let unverified = try RegistrySettings()
        let refused = try unverified.cell(try CellRoot(), "pull", "-q", name)
        #expect(refused.status == 1 && refused.stderr.hasSuffix("x509: certificate signed by unknown authority\n"), "\(refused.stderr)")

        // Named insecure (as a CIDR): TLS without checks.
        try unverified.writeRegistries(#"{"insecure-registries": ["127.0.0.0/8"]}"#)
        let insecure = try unverified.cell(try CellRoot(), "login", "-u", "alice", "--password-stdin", registry.address, stdin: RegistryAuthTests.password)
        #expect(insecure.status == 0, "\(insecure.stderr)")

        let strict = try LocalRegistry(.init(tls: certificates, requiresClientCertificate: true))
        let withClient = try RegistrySettings()
        try withClient.trust(certificates, for: strict.address, client: true)
        try strict.push("busybox", from: source, as: "strict/busybox:1", certificates: "\(withClient.cellConfig)/certs.d/\(strict.address)")
        let strictName = "\(strict.address)/strict/busybox:1"
        let caOnly = try RegistrySettings()
        try caOnly.trust(certificates, for: strict.address)
        let noClient = try caOnly.cell(try CellRoot(), "pull", "-q", strictName)
        #expect(noClient.status == 1 && noClient.stderr.hasPrefix("Error response from daemon: Get \"https://\(strict.address)/v2/\": ")
                && noClient.stderr.split(separator: "\n").count == 1, "\(noClient.stderr)")
        let client = try withClient.cell(try CellRoot(), "pull", "-q", strictName)
        #expect(client.status == 0, "\(client.stderr)")
        expectNoSecrets(in: [login, pull, insecure], settings, root)
    }

    /// `credsStore` and `credHelpers`: login stores through the helper (the secret on its stdin,
    /// never in its arguments, and not in config.json), pulls get it back, logout erases it; a
    /// helper that fails, or is missing, is Docker's one line.
    @Test func credentialHelpers() throws {
        let registry = try LocalRegistry(.init(htpasswd: ["alice": RegistryAuthTests.password]))
        let source = try CellRoot()
        try source.importBusybox()
        try registry.push("busybox", from: source, as: "helped/busybox:1", credentials: "alice:\(RegistryAuthTests.password)")
        let name = "\(registry.address)/helped/busybox:1"
        let settings = try RegistrySettings()
        let root = try CellRoot()
        try root.writeExecutable(#"""
            #!/usr/bin/python3
            # A credential helper keeping each server's credentials in a file; it logs its arguments.
            import json, os, sys
            store = sys.argv[0] + "-store"
            os.makedirs(store, exist_ok=True)
            with open(store + ".log", "a") as log:
                log.write(" ".join(sys.argv[1:]) + "\n")
            data = sys.stdin.read()
            if sys.argv[1] == "store":
                entry = json.loads(data)
                json.dump(entry, open(os.path.join(store, entry["ServerURL"].encode().hex()), "w"))
            elif sys.argv[1] == "get":
                path = os.path.join(store, data.encode().hex())
                if not os.path.exists(path):
                    print("credentials not found in native keychain")
                    sys.exit(1)
                print(open(path).read())
            elif sys.argv[1] == "erase":
                path = os.path.join(store, data.encode().hex())
                if os.path.exists(path):
                    os.unlink(path)
            """#, to: "\(settings.bin)/docker-credential-celltest")
        try root.writeExecutable("#!/bin/sh\necho boom\nexit 1\n", to: "\(settings.bin)/docker-credential-broken")
        try #"{"credsStore": "celltest"}"#.write(toFile: settings.dockerConfig, atomically: true, encoding: .utf8)

        let login = try settings.cell(root, "login", "-u", "alice", "--password-stdin", registry.address, stdin: RegistryAuthTests.password)
        #expect(login.status == 0 && login.stdout == "Login Succeeded\n" && login.stderr.isEmpty, "\(login.stderr)")
        #expect(try String(contentsOfFile: settings.dockerConfig, encoding: .utf8)
                == "{\n\t\"credsStore\": \"celltest\",\n\t\"auths\": {\n\t\t\"\(registry.address)\": {}\n\t}\n}")
        let helperStore = "\(settings.bin)/docker-credential-celltest-store"
        #expect(try String(contentsOfFile: "\(helperStore).log", encoding: .utf8) == "store\n", "the secret is never an argument")
        #expect(try FileManager.default.contentsOfDirectory(atPath: helperStore).count == 1)
        let pull = try settings.cell(root, "pull", "-q", name)
        #expect(pull.status == 0, "\(pull.stderr)")
        let logout = try settings.cell(root, "logout", registry.address)
        #expect(logout.status == 0 && logout.stderr.isEmpty, "\(logout.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: helperStore).isEmpty)
        #expect(try settings.cell(try CellRoot(), "pull", "-q", name).status == 1)

        try #"{"credHelpers": {"\#(registry.address)": "broken"}}"#.write(toFile: settings.dockerConfig, atomically: true, encoding: .utf8)
        let broken = try settings.cell(root, "pull", name)
        #expect(broken.status == 1 && broken.stderr == "Error response from daemon: error getting credentials - err: exit status 1, out: `boom`\n", "\(broken.stderr)")
        try #"{"credHelpers": {"\#(registry.address)": "absent"}}"#.write(toFile: settings.dockerConfig, atomically: true, encoding: .utf8)
        let absent = try settings.cell(root, "pull", name)
        #expect(absent.status == 1 && absent.stderr == "Error response from daemon: error getting credentials - err: exec: \"docker-credential-absent\": executable file not found in $PATH, out: ``\n", "\(absent.stderr)")
        let storing = try settings.cell(root, "login", "-u", "alice", "--password-stdin", registry.address, stdin: RegistryAuthTests.password)
        #expect(storing.status == 1 && storing.stderr == "error saving credentials: error storing credentials - err: exec: \"docker-credential-absent\": executable file not found in $PATH, out: ``\n", "\(storing.stderr)")
        expectNoSecrets(in: [login, pull, logout, broken, absent, storing], settings, root)
    }

    /// A registry that sends a blob to another host (another port is another host to curl)
    /// must not get our Authorization header there; a realm that is no http URL, a scheme cell
    /// does not speak, and a plain-HTTP realm across a network are refused before anything is sent.
    @Test func hostileRegistriesGetNoCredentials() throws {
        let source = try CellRoot()
        try source.importBusybox()
        let image = try ImageBlobs(of: "busybox", in: source)
        let blobHost = try ScriptedRegistry(routes: ["/elsewhere": .init(status: 200, type: "application/octet-stream", body: image.layer.bytes)])
        let manifestType = "application/vnd.oci.image.manifest.v1+json"
        let registry = try ScriptedRegistry(routes: [
            "/v2/": .init(status: 200, type: "application/json", body: Array("{}".utf8)),
            "/v2/app/manifests/1": .init(status: 200, type: manifestType, body: image.manifest),
            "/v2/app/blobs/\(image.config.digest)": .init(status: 200, type: "application/octet-stream", body: image.config.bytes),
            "/v2/app/blobs/\(image.layer.digest)": .init(status: 307, type: "text/plain", body: [],
                                                         headers: ["Location": "http://\(blobHost.address)/elsewhere"]),
        ], authorization: "Basic \(RegistryAuthTests.basic)")
        let settings = try RegistrySettings()
        let root = try CellRoot()
        let login = try settings.cell(root, "login", "-u", "alice", "--password-stdin", registry.address, stdin: RegistryAuthTests.password)
        #expect(login.status == 0, "\(login.stderr)")
        let pull = try settings.cell(root, "pull", "-q", "\(registry.address)/app:1")
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(try registry.requests().contains { $0.path == "/v2/app/blobs/\(image.layer.digest)" && $0.authorization })
        let redirected = try blobHost.requests()
        #expect(redirected.count == 1 && redirected.allSatisfy { !$0.authorization }, "the other host got no credentials: \(redirected)")

        let challenges = [
            (#"Bearer realm="file:///etc/passwd",service="x""#, "asked for a token from \"file:///etc/passwd\", which is not an http or https URL"),
            (#"Negotiate"#, "asks for negotiate authentication, which cell does not speak"),
            (#"Bearer realm="http://registry.invalid/token",service="x""#,
             "asked for credentials to be sent to http://registry.invalid/token over plain HTTP; cell sends them only over HTTPS"),
        ]
        var outputs = [login, pull]
        for (challenge, message) in challenges {
            let odd = try ScriptedRegistry(routes: [:], authorization: "never", challenge: challenge)
            try #"{"auths": {"\#(odd.address)": {"auth": "\#(RegistryAuthTests.basic)"}}}"#
                .write(toFile: settings.dockerConfig, atomically: true, encoding: .utf8)
            let refused = try settings.cell(root, "pull", "\(odd.address)/app:1")
            outputs.append(refused)
            #expect(refused.status == 1 && refused.stderr == "Error response from daemon: \(odd.address) \(message)\n", "\(refused.stderr)")
        }
        expectNoSecrets(in: outputs, settings, root)
    }

    /// docker.io pulls go to the configured mirrors first, a mirror that is down passed over;
    /// a configuration file with a mistake is one line, before anything is fetched.
    @Test func mirrorsServeDockerHubNames() throws {
        let mirror = try LocalRegistry()
        let source = try CellRoot()
        try source.importBusybox()
        try mirror.push("busybox", from: source, as: "library/busybox:latest")
        let settings = try RegistrySettings()
        try settings.writeRegistries(#"{"registry-mirrors": ["http://127.0.0.1:\#(try LocalRegistry.freePort())", "http://\#(mirror.address)/"]}"#)
        let root = try CellRoot()
        let pull = try settings.cell(root, "pull", "busybox")
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(pull.stdout.hasPrefix("Using default tag: latest\nlatest: Pulling from library/busybox\n"), "\(pull.stdout)")
        #expect(pull.stdout.hasSuffix("Status: Downloaded newer image for busybox:latest\ndocker.io/library/busybox:latest\n"), "\(pull.stdout)")
        #expect(try settings.cell(root, "run", "--rm", "busybox", "echo", "mirrored").stdout == "mirrored\n")

        try settings.writeRegistries(#"{"registry-mirrors": ["ftp://mirror.example"]}"#)
        let bad = try settings.cell(root, "pull", "busybox")
        #expect(bad.status == 1 && bad.stderr == "Error response from daemon: \(settings.cellConfig)/registries.json: invalid mirror: unsupported scheme in \"ftp://mirror.example\": must use either 'https' or 'http'\n", "\(bad.stderr)")
        try settings.writeRegistries(#"{"insecure-registry": ["x"]}"#)
        let typo = try settings.cell(root, "pull", "\(mirror.address)/library/busybox")
        #expect(typo.status == 1 && typo.stderr == "Error response from daemon: \(settings.cellConfig)/registries.json: unknown key \"insecure-registry\" (cell reads insecure-registries and registry-mirrors)\n", "\(typo.stderr)")
    }

    /// On a terminal, login asks as Docker asks, and the password is not echoed.
    @Test func loginPromptsOnATerminal() throws {
        let registry = try LocalRegistry(.init(htpasswd: ["alice": RegistryAuthTests.password]))
        let settings = try RegistrySettings()
        let root = try CellRoot()
        let driver = TerminalTests.ptyPrelude + #"""
            wait_for(b"Username: ")
            os.write(fd, b"alice\n")
            wait_for(b"Password: ")
            mark = len(seen)
            os.write(fd, sys.stdin.readline().encode())
            wait_for(b"Login Succeeded")
            _, status = os.waitpid(pid, 0)
            print("echoed" if b"\#(RegistryAuthTests.password)" in seen[mark:] else "quiet", os.WEXITSTATUS(status))
            """#
        var environment = settings.environment
        environment["CELL_ROOT"] = root.path
        let result = try Command.run("/usr/bin/python3", ["-c", driver, Paths.cell, "login", registry.address],
                                     stdin: Data((RegistryAuthTests.password + "\n").utf8), environment: environment)
        #expect(result.stdout == "quiet 0\n", "\(result.stdout) \(result.stderr)")
        #expect(try String(contentsOfFile: settings.dockerConfig, encoding: .utf8).contains(RegistryAuthTests.basic))
    }
}

/// An image's manifest, config and single layer as `save` writes them (for a scripted registry).
struct ImageBlobs {
    var manifest: [UInt8]
    var config: (digest: String, bytes: [UInt8])
    var layer: (digest: String, bytes: [UInt8])

    init(of image: String, in root: CellRoot) throws {
        let layout = root.file("layout-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(atPath: layout, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: layout) }
        try root.cell("save", "-o", "\(layout).tar", image).expectSuccess()
        defer { try? FileManager.default.removeItem(atPath: "\(layout).tar") }
        try Command.run("/bin/tar", ["-xf", "\(layout).tar", "-C", layout]).expectSuccess()
        func blob(_ digest: String) throws -> [UInt8] {
            Array(try Data(contentsOf: URL(fileURLWithPath: "\(layout)/blobs/sha256/\(digest.dropFirst("sha256:".count))")))
        }
        func object(_ bytes: [UInt8]) throws -> [String: Any] { try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any] }
        let index = try object(Array(try Data(contentsOf: URL(fileURLWithPath: "\(layout)/index.json"))))
        let manifestDigest = (index["manifests"] as! [[String: Any]])[0]["digest"] as! String
        manifest = try blob(manifestDigest)
        let parsed = try object(manifest)
        let configDigest = (parsed["config"] as! [String: Any])["digest"] as! String
        let layerDigest = (parsed["layers"] as! [[String: Any]])[0]["digest"] as! String
        config = (configDigest, try blob(configDigest))
        layer = (layerDigest, try blob(layerDigest))
    }
}
