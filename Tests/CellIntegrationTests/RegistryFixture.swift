import Foundation
import Testing

/// Debian's docker-registry (the CNCF distribution registry) on a free loopback port, with its
/// storage in a private directory; stopped and removed when the test is done. Anonymous by
/// default; with `Options`, behind htpasswd Basic auth or a token server, over TLS with a test CA
/// (and then, if asked, only for clients with a certificate of that CA).
final class LocalRegistry {
    let port: Int
    let directory: String
    private let process: ChildProcess

    struct Options {
        /// Users and passwords of htpasswd Basic auth (bcrypt lines made by apache2-utils).
        var htpasswd: [String: String] = [:]
        var token: TokenServer?
        var tls: TestCertificates?
        var requiresClientCertificate = false
    }

    /// `host:port`, as image names write it.
    var address: String { "127.0.0.1:\(port)" }

    init(_ options: Options = Options()) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cell-registry-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: "\(directory)/data", withIntermediateDirectories: true)
        // A port found free can be taken before the registry binds it (by another test's
        // published port): a registry that exits instead of listening starts again on another.
        for attempt in 1...5 {
            let port = try LocalRegistry.freePort()
            try LocalRegistry.configuration(options, port: port, directory: directory)
                .write(toFile: "\(directory)/config.yml", atomically: true, encoding: .utf8)
            let process = try ChildProcess("/usr/bin/docker-registry", ["serve", "\(directory)/config.yml"], captureOutput: false)
            _ = waitUntil(timeout: 20) { LocalRegistry.accepts(port: port) || process.exitStatusIfExited() != nil }
            if process.exitStatusIfExited() == nil && LocalRegistry.accepts(port: port) {
                self.port = port
                self.process = process
                return
            }
            kill(process.pid, SIGTERM)
            _ = process.waitForExit()
            if attempt == 5 { throw HarnessError.failed("docker-registry did not start on port \(port)") }
        }
        throw HarnessError.failed("docker-registry did not start")
    }

    /// The registry's config.yml for `options`, listening on `port`.
    private static func configuration(_ options: Options, port: Int, directory: String) throws -> String {
        var config = """
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: \(directory)/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(port)

            """
        if let tls = options.tls {
            config += "  tls:\n    certificate: \(tls.serverCertificate)\n    key: \(tls.serverKey)\n"
            if options.requiresClientCertificate { config += "    clientcas:\n      - \(tls.authority)\n" }
        }
        if !options.htpasswd.isEmpty {
            var lines = ""
            for (user, password) in options.htpasswd.sorted(by: { $0.key < $1.key }) {
                let line = try Command.run("/usr/bin/htpasswd", ["-Bbn", user, password])
                try line.expectSuccess()
                lines += line.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
            }
            try lines.write(toFile: "\(directory)/htpasswd", atomically: true, encoding: .utf8)
            config += "auth:\n  htpasswd:\n    realm: cell-test\n    path: \(directory)/htpasswd\n"
        } else if let token = options.token {
            config += """
                auth:
                  token:
                    realm: \(token.realm)
                    service: \(TokenServer.service)
                    issuer: \(TokenServer.issuer)
                    rootcertbundle: \(token.certificate)

                """
        }
        return config
    }

    deinit {
        kill(process.pid, SIGTERM)
        _ = process.waitForExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Pushes `image` of `root` to this registry as `name` with skopeo (`format`: oci or v2s2;
    /// `credentials`: `user:password` for a registry that asks; `certificates`: a certs.d folder
    /// of a client certificate).
    func push(_ image: String, from root: CellRoot, as name: String, format: String = "oci", credentials: String? = nil,
              certificates: String? = nil) throws {
        let archive = root.file("push-\(UUID().uuidString.prefix(6)).tar")
        try root.cell("save", "-o", archive, image).expectSuccess()
        defer { try? FileManager.default.removeItem(atPath: archive) }
        try Command.run("/usr/bin/skopeo", ["copy", "--quiet", "--dest-tls-verify=false", "--format", format]
                        + (credentials.map { ["--dest-creds", $0] } ?? [])
                        + (certificates.map { ["--dest-cert-dir", $0] } ?? [])
                        + ["oci-archive:\(archive)", "docker://\(address)/\(name)"]).expectSuccess()
    }

    /// The manifest digest the registry serves for `name`, as skopeo reads it.
    func digest(of name: String) throws -> String {
        let result = try Command.run("/usr/bin/skopeo", ["inspect", "--tls-verify=false", "--format", "{{.Digest}}",
                                                         "docker://\(address)/\(name)"])
        try result.expectSuccess()
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A port nothing listens on now (the kernel's choice for a socket bound to port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.failed("socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw HarnessError.failed("bind") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// A registry that answers from a table written by the test: the hostile one (wrong bytes
/// under a digest, truncated blobs, garbage manifests, odd challenges, redirects elsewhere).
/// Python's http.server on loopback. Each request is logged (method, path, whether it carried an
/// Authorization header) for the test to read.
final class ScriptedRegistry {
    let port: Int
    private let process: ChildProcess
    let directory: String

    var address: String { "127.0.0.1:\(port)" }

    struct Route {
        var status: Int
        var type: String
        var body: [UInt8]
        var headers: [String: String] = [:]
    }

    /// `routes`: a path (`/v2/x/manifests/1`) → (status, content type, file of the body).
    convenience init(routes: [String: (status: Int, type: String, body: [UInt8])]) throws {
        try self.init(routes: routes.mapValues { Route(status: $0.status, type: $0.type, body: $0.body) })
    }

    /// `authorization`: the Authorization header every /v2/ request must carry, else a 401 with
    /// `challenge` as its WWW-Authenticate.
    init(routes: [String: Route], authorization: String? = nil, challenge: String = "Basic realm=\"scripted\"") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cell-scripted-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var table: [String: [String: Any]] = [:]
        for (index, (path, route)) in routes.enumerated() {
            let file = "\(directory)/body-\(index)"
            try Data(route.body).write(to: URL(fileURLWithPath: file))
            table[path] = ["status": route.status, "type": route.type, "file": file, "headers": route.headers]
        }
        let settings: [String: Any] = ["routes": table, "authorization": authorization ?? "", "challenge": challenge,
                                       "log": "\(directory)/requests.log"]
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: "\(directory)/routes.json"))
        port = try LocalRegistry.freePort()
        let server = """
            import http.server, json, sys
            settings = json.load(open(sys.argv[1]))
            routes = settings["routes"]
            class Handler(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def log_message(self, *args): pass
                def answer(self, body):
                    path = self.path.split("?")[0]
                    given = self.headers.get("Authorization")
                    with open(settings["log"], "a") as log:
                        log.write(json.dumps({"method": self.command, "path": path, "authorization": given is not None}) + "\\n")
                    route = routes.get(path)
                    headers = {}
                    if settings["authorization"] and path.startswith("/v2/") and given != settings["authorization"]:
                        data = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'
                        self.send_response(401); self.send_header("Content-Type", "application/json")
                        self.send_header("WWW-Authenticate", settings["challenge"])
                    elif route is None:
                        data = b'{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}'
                        self.send_response(404); self.send_header("Content-Type", "application/json")
                    else:
                        data = open(route["file"], "rb").read()
                        self.send_response(route["status"]); self.send_header("Content-Type", route["type"])
                        for name, value in route["headers"].items(): self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if body: self.wfile.write(data)
                def do_GET(self): self.answer(True)
                def do_HEAD(self): self.answer(False)
            http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
            """
        process = try ChildProcess("/usr/bin/python3", ["-c", server, "\(directory)/routes.json", String(port)], captureOutput: false)
        guard waitUntil(timeout: 20, { LocalRegistry.accepts(port: port) }) else {
            throw HarnessError.failed("the scripted registry did not start")
        }
    }

    /// The requests so far: method, path, and whether an Authorization header came with it.
    func requests() throws -> [(method: String, path: String, authorization: Bool)] {
        let text = (try? String(contentsOfFile: "\(directory)/requests.log", encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map {
            let entry = try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            return (entry["method"] as! String, entry["path"] as! String, entry["authorization"] as! Bool)
        }
    }

    deinit {
        kill(process.pid, SIGTERM)
        _ = process.waitForExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
