import Foundation
import Testing

/// `cell system service --tlsverify` on TCP, as dockerd's: the docker CLI with DOCKER_TLS_VERIFY
/// and a client certificate gets in; without one, with another CA's, or in plain HTTP it is
/// refused at the handshake, and the service goes on serving the others. The CA and the
/// certificates are made here by Debian's openssl.
@Suite(.enabled(if: EngineService.hasDockerCLI && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"),
                "needs the docker CLI and openssl"))
struct EngineAPITLSTests {
    /// A CA, a server certificate for 127.0.0.1 and a client certificate it signed, in
    /// `directory`: ca.pem, server-cert.pem, server-key.pem, and a docker CLI folder `client/`
    /// (ca.pem, cert.pem, key.pem); a second CA's client in `stranger/`, and `nocert/` with the
    /// CA alone.
    static func makeCertificates(in directory: String) throws {
        try Command.shell("""
            set -e
            cd "\(directory)"
            ca() { openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" -keyout "$1-key.pem" -out "$1.pem" 2>/dev/null; }
            signed() { # name CA extensions
                openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$1-key.pem" -out "$1.csr" 2>/dev/null
                printf '%s\\n' "$3" > "$1.ext"
                openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2-key.pem" -CAcreateserial -days 2 -extfile "$1.ext" -out "$1-cert.pem" 2>/dev/null
            }
            ca ca
            ca otherca
            signed server ca "subjectAltName=IP:127.0.0.1,DNS:localhost
            extendedKeyUsage=serverAuth"
            signed client ca "extendedKeyUsage=clientAuth"
            signed intruder otherca "extendedKeyUsage=clientAuth"
            mkdir -p client stranger nocert
            cp ca.pem client/ca.pem; cp client-cert.pem client/cert.pem; cp client-key.pem client/key.pem
            cp ca.pem stranger/ca.pem; cp intruder-cert.pem stranger/cert.pem; cp intruder-key.pem stranger/key.pem
            cp ca.pem nocert/ca.pem
            """).expectSuccess()
    }

    @Test func clientCertificatesAreRequired() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let certificates = root.file("tls")
        try FileManager.default.createDirectory(atPath: certificates, withIntermediateDirectories: true)
        try Self.makeCertificates(in: certificates)
        let port = try LocalRegistry.freePort()
        let service = try EngineService(root: root, arguments: [
            "--time", "0", "--tlsverify", "--tlscacert", "\(certificates)/ca.pem",
            "--tlscert", "\(certificates)/server-cert.pem", "--tlskey", "\(certificates)/server-key.pem",
        ], address: "tcp://127.0.0.1:\(port)")
        defer {
            EngineService.removeAllContainers(root)
            service.stop()
        }
        func docker(_ folder: String?, _ arguments: String...) throws -> CommandResult {
            var environment = ["DOCKER_HOST": "tcp://127.0.0.1:\(port)", "DOCKER_CONFIG": root.file("docker-config")]
            if let folder {
                environment["DOCKER_TLS_VERIFY"] = "1"
                environment["DOCKER_CERT_PATH"] = "\(certificates)/\(folder)"
            }
            return try Command.run(EngineService.dockerCLI, arguments, environment: environment)
        }
        #expect(try waitUntil(timeout: 20) { try docker("client", "version", "--format", "{{.Server.Version}}").status == 0 })
        // A hijacked stream over TLS: docker run attaches, then starts.
        let run = try docker("client", "run", "--rm", "busybox", "echo", "over tls")
        #expect(run.status == 0 && run.stdout == "over tls\n", "\(run.stderr)")

        let fds = { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(service.process.pid)/fd").count) ?? -1 }
        let baseline = fds()
        // No client certificate: the handshake fails, and the CLI says so.
        let anonymous = try docker("nocert", "version", "--format", "{{.Server.Version}}")
        #expect(anonymous.status != 0)
        #expect(anonymous.stderr.contains("tls") || anonymous.stderr.contains("certificate"), "\(anonymous.stderr)")
        // A certificate another CA signed.
        let stranger = try docker("stranger", "ps")
        #expect(stranger.status != 0)
        #expect(stranger.stderr.contains("tls") || stranger.stderr.contains("certificate"), "\(stranger.stderr)")
        // Plain HTTP to the TLS port: the CLI fails, and a raw request is closed without an HTTP answer.
        let plain = try docker(nil, "ps")
        #expect(plain.status != 0)
        let answer = try Self.plainExchange(port: port, "GET /_ping HTTP/1.1\r\nHost: cell\r\n\r\n")
        #expect(!answer.text.hasPrefix("HTTP/"), "\(answer.text)")
        #expect(answer.closed, "the server did not close a plain-HTTP connection")

        // The service goes on serving the client it trusts, and holds nothing for the refused.
        #expect(try docker("client", "ps", "-a", "--format", "{{.Names}}").status == 0)
        #expect(service.process.exitStatusIfExited() == nil)
        #expect(waitUntil(timeout: 20) { fds() <= baseline }, "descriptors: \(fds()) after, \(baseline) before")
    }

    /// `--tls` alone (loopback only): the server is checked by the client, no certificate asked.
    @Test func tlsWithoutClientVerificationOnLoopback() throws {
        let root = try CellRoot()
        let certificates = root.file("tls")
        try FileManager.default.createDirectory(atPath: certificates, withIntermediateDirectories: true)
        try Self.makeCertificates(in: certificates)
        let port = try LocalRegistry.freePort()
        let service = try EngineService(root: root, arguments: [
            "--time", "0", "--tls", "--tlscert=\(certificates)/server-cert.pem", "--tlskey=\(certificates)/server-key.pem",
        ], address: "tcp://127.0.0.1:\(port)")
        defer { service.stop() }
        let environment = ["DOCKER_HOST": "tcp://127.0.0.1:\(port)", "DOCKER_CONFIG": root.file("docker-config"),
                           "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "\(certificates)/nocert"]
        let version = { try Command.run(EngineService.dockerCLI, ["version", "--format", "{{.Server.Version}}"], environment: environment) }
        #expect(try waitUntil(timeout: 20) { try version().status == 0 })
        #expect(try version().stdout == "24.0.7\n")
        // A peer that connects and never says hello is closed once the handshake's time is up.
        let silent = try Self.plainExchange(port: port, "", waiting: 30)
        #expect(silent.closed && silent.text.isEmpty)
    }

    @Test func startRefusals() throws {
        let root = try CellRoot()
        let certificates = root.file("tls")
        try FileManager.default.createDirectory(atPath: certificates, withIntermediateDirectories: true)
        try Self.makeCertificates(in: certificates)
        let files = ["--tlscert", "\(certificates)/server-cert.pem", "--tlskey", "\(certificates)/server-key.pem"]
        // TLS without client verification is not enough off loopback.
        let tlsOnly = try root.cell(["system", "service", "--tls"] + files + ["tcp://0.0.0.0:2375"])
        #expect(tlsOnly.status == 125 && tlsOnly.stderr.contains("needs --tlsverify"), "\(tlsOnly.stderr)")
        // A file that is not there stops the start, named.
        let missing = try root.cell(["system", "service", "--tlsverify", "--tlscacert", "\(certificates)/nothing.pem"] + files
                                    + ["tcp://127.0.0.1:\(try LocalRegistry.freePort())"])
        #expect(missing.status == 125 && missing.stderr.contains("nothing.pem"), "\(missing.stderr)")
        let badFlag = try root.cell(["system", "service", "--tlsverify=maybe", "tcp://127.0.0.1:1"])
        #expect(badFlag.status != 0)
    }

    /// One request over plain TCP; whatever comes back, and whether the server closed the
    /// connection (rather than leaving it open for 10 s).
    static func plainExchange(port: Int, _ request: String, waiting seconds: Int = 10) throws -> (text: String, closed: Bool) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessError.failed("connect: \(errno)") }
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var closed = false
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 { received += buffer[..<count]; continue }
            // 0: an orderly close; ECONNRESET: closed with data unread. A timeout is neither.
            closed = count == 0 || errno == ECONNRESET
            break
        }
        return (String(decoding: received, as: UTF8.self), closed)
    }
}
