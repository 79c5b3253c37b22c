import Foundation
import Testing

/// A test CA made with openssl, and what it signs: a server certificate for 127.0.0.1 and
/// localhost, a client certificate. Nothing of it goes near the system's trust store: a test
/// hands the CA to cell through a certs.d folder of its own `RegistrySettings`.
final class TestCertificates {
    let directory: String
    var authority: String { "\(directory)/ca.crt" }
    var serverCertificate: String { "\(directory)/server.crt" }
    var serverKey: String { "\(directory)/server.key" }
    var clientCertificate: String { "\(directory)/client.cert" }
    var clientKey: String { "\(directory)/client.key" }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cell-ca-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = """
            set -e
            cd "$1"
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=cell test CA"
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > server.ext
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext
            openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=cell test client"
            printf 'extendedKeyUsage=clientAuth\\n' > client.ext
            openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.cert -days 2 -extfile client.ext
            """
        try Command.run("/bin/sh", ["-c", script, "sh", directory]).expectSuccess()
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

/// A token server of Docker's token authentication, written here in python: Basic credentials
/// checked against a table, each scope granted (everything to a known user; to no one, `pull`
/// of `public/*`), the token an RS256 JWT signed with a key openssl made (`openssl dgst`), its
/// certificate in the header's x5c and in the registry's rootcertbundle. `mode` changes the next
/// answer: `expired-once` (a token already past its time), `garbage-once` (HTML, not a token).
/// Every request is logged (scopes, service, account, whether it was refused), never a password.
final class TokenServer {
    static let service = "cell-test"
    static let issuer = "cell-test-issuer"
    let port: Int
    let directory: String
    private let process: ChildProcess

    var realm: String { "http://127.0.0.1:\(port)/token" }
    var certificate: String { "\(directory)/token.crt" }

    init(users: [String: String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cell-token-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Command.run("/bin/sh", ["-c", """
            set -e
            cd "$1"
            openssl req -x509 -newkey rsa:2048 -nodes -keyout token.key -out token.crt -days 2 -subj /CN=cell-test-token
            openssl x509 -in token.crt -outform DER -out token.der
            """, "sh", directory]).expectSuccess()
        let settings: [String: Any] = ["users": users, "issuer": TokenServer.issuer]
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: "\(directory)/token-settings.json"))
        port = try LocalRegistry.freePort()
        process = try ChildProcess("/usr/bin/python3", ["-c", TokenServer.script, directory, String(port)], captureOutput: false)
        guard waitUntil(timeout: 20, { LocalRegistry.accepts(port: port) }) else {
            throw HarnessError.failed("the token server did not start")
        }
    }

    deinit {
        kill(process.pid, SIGTERM)
        _ = process.waitForExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What the next token request gets.
    func setMode(_ mode: String) throws {
        try mode.write(toFile: "\(directory)/token-mode", atomically: true, encoding: .utf8)
    }

    struct Request: Equatable {
        var scopes: [String]
        var account: String
        var basic: Bool
        var refused: Bool
        var mode: String
    }

    /// The requests so far, and forgets them.
    func takeRequests() throws -> [Request] {
        let path = "\(directory)/token-requests.log"
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: path)
        return try text.split(separator: "\n").map {
            let entry = try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            #expect(entry["service"] as? String == TokenServer.service, "every token request names the service")
            return Request(scopes: entry["scope"] as! [String], account: entry["account"] as! String, basic: entry["basic"] as! Bool,
                           refused: entry["refused"] as? Bool ?? false, mode: entry["mode"] as? String ?? "")
        }
    }

    static let script = #"""
        import base64, http.server, json, os, subprocess, sys, time, urllib.parse, uuid
        directory, port = sys.argv[1], int(sys.argv[2])
        settings = json.load(open(os.path.join(directory, "token-settings.json")))
        chain = [base64.b64encode(open(os.path.join(directory, "token.der"), "rb").read()).decode()]
        def b64(data): return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
        def sign(data):
            return subprocess.run(["openssl", "dgst", "-sha256", "-sign", os.path.join(directory, "token.key")],
                                  input=data, capture_output=True, check=True).stdout
        def take_mode():
            path = os.path.join(directory, "token-mode")
            try:
                mode = open(path).read().strip()
            except OSError:
                return ""
            if mode.endswith("-once"):
                os.unlink(path)
            return mode
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def reply(self, status, body, kind="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status); self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
            def log(self, record):
                with open(os.path.join(directory, "token-requests.log"), "a") as log:
                    log.write(json.dumps(record) + "\n")
            def do_GET(self):
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                record = {"scope": query.get("scope", []), "service": query.get("service", [""])[0],
                          "account": query.get("account", [""])[0], "basic": "Authorization" in self.headers}
                user = None
                header = self.headers.get("Authorization", "")
                if header:
                    name, _, password = base64.b64decode(header.split(" ", 1)[-1]).decode().partition(":")
                    if not header.startswith("Basic ") or settings["users"].get(name) != password:
                        record["refused"] = True
                        self.log(record)
                        return self.reply(401, {"details": "incorrect username or password"})
                    user = name
                mode = take_mode()
                record["mode"] = mode
                self.log(record)
                if mode.startswith("garbage"):
                    return self.reply(200, b"<html>not a token</html>", "text/html")
                access = []
                for scope in query.get("scope", []):
                    kind, _, rest = scope.partition(":")
                    name, _, actions = rest.rpartition(":")
                    wanted = actions.split(",")
                    granted = wanted if user else [a for a in wanted if a == "pull" and name.startswith("public/")]
                    access.append({"type": kind, "name": name, "actions": granted})
                now = int(time.time())
                expired = mode.startswith("expired")
                claims = {"iss": settings["issuer"], "sub": user or "", "aud": record["service"],
                          "exp": now - 3600 if expired else now + 300, "nbf": now - 7200 if expired else now - 10,
                          "iat": now - 7200 if expired else now, "jti": uuid.uuid4().hex, "access": access}
                signing_input = b64(json.dumps({"typ": "JWT", "alg": "RS256", "x5c": chain}).encode()) + "." + b64(json.dumps(claims).encode())
                self.reply(200, {"token": signing_input + "." + b64(sign(signing_input.encode())), "expires_in": 300})
        http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
        """#
}

/// A user's settings as cell reads them, private to a test: Docker's config folder
/// (`DOCKER_CONFIG`), cell's registries folder (`CELL_CONFIG_DIR`: registries.json, certs.d/), a
/// Podman auth file (`REGISTRY_AUTH_FILE`, absent unless written), and a folder first on the
/// PATH for credential helpers.
final class RegistrySettings {
    let directory: String
    var dockerConfig: String { "\(directory)/docker/config.json" }
    var podmanAuth: String { "\(directory)/auth.json" }
    var cellConfig: String { "\(directory)/cell" }
    var bin: String { "\(directory)/bin" }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cell-settings-\(UUID().uuidString.prefix(8))").path
        for folder in ["docker", "cell", "bin"] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(folder)", withIntermediateDirectories: true)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    var environment: [String: String] {
        ["DOCKER_CONFIG": "\(directory)/docker", "CELL_CONFIG_DIR": cellConfig, "REGISTRY_AUTH_FILE": podmanAuth,
         "PATH": "\(bin):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
    }

    /// `cell ARGS` in `root` with these settings.
    func cell(_ root: CellRoot, _ arguments: String..., stdin: String? = nil) throws -> CommandResult {
        try root.cell(arguments, stdin: stdin.map { Data($0.utf8) }, environment: environment)
    }

    /// Puts `certificates`' CA (and, with `client`, its client certificate) in cell's certs.d for `host`.
    func trust(_ certificates: TestCertificates, for host: String, client: Bool = false) throws {
        let folder = "\(cellConfig)/certs.d/\(host)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: certificates.authority, toPath: "\(folder)/ca.crt")
        if client {
            try FileManager.default.copyItem(atPath: certificates.clientCertificate, toPath: "\(folder)/client.cert")
            try FileManager.default.copyItem(atPath: certificates.clientKey, toPath: "\(folder)/client.key")
        }
    }

    func writeRegistries(_ json: String) throws {
        try json.write(toFile: "\(cellConfig)/registries.json", atomically: true, encoding: .utf8)
    }

    /// Every file under the settings folder and `root`, as bytes, for a search for secrets.
    func everything(in root: CellRoot) -> [(String, Data)] {
        var found: [(String, Data)] = []
        for base in [directory, root.path] {
            guard let walker = FileManager.default.enumerator(atPath: base) else { continue }
            for case let relative as String in walker {
                let path = "\(base)/\(relative)"
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                   let data = FileManager.default.contents(atPath: path) {
                    found.append((path, data))
                }
            }
        }
        return found
    }
}
