import Foundation
import Testing

/// `cell system service` for one test: started on a socket in the test's own scratch directory,
/// over the test's CELL_ROOT, and stopped (SIGTERM, then reaped) when the test is done. Clients
/// no one here wrote (the docker CLI, docker-py) are pointed at it through DOCKER_HOST.
final class EngineService {
    let root: CellRoot
    let socket: String
    let process: ChildProcess
    private var stopped = false

    /// `arguments` go after `system service` (the socket's URI is added unless `address` is given).
    init(root: CellRoot, arguments: [String] = ["--time", "0"], address: String? = nil,
         environment: [String: String] = [:]) throws {
        self.root = root
        socket = root.file("api.sock")
        let uri = address ?? "unix://\(socket)"
        process = try ChildProcess(Paths.cell, ["system", "service"] + arguments + [uri],
                                   environment: environment.merging(["CELL_ROOT": root.path]) { $1 }, captureOutput: false)
        let ready = waitUntil(timeout: 30) { address != nil ? true : RawHTTP.canConnect(socket) }
        guard ready else {
            stop()
            throw HarnessError.failed("the service did not listen on \(uri)")
        }
    }

    deinit { stop() }

    var dockerHost: String { "unix://\(socket)" }

    /// Stops the service as systemd or a user would (SIGTERM) and reaps it; its exit status.
    @discardableResult
    func stop() -> Int32 {
        // Only a child not reaped yet: a reaped pid may be another process's by now.
        if !stopped && process.exitStatusIfExited() == nil {
            kill(process.pid, SIGTERM)
        }
        stopped = true
        return process.waitForExit()
    }

    /// The docker CLI on this machine against this service, with a configuration directory of
    /// the test's own (the user's ~/.docker is left alone).
    @discardableResult
    func docker(_ arguments: String...) throws -> CommandResult {
        try docker(arguments)
    }

    func docker(_ arguments: [String]) throws -> CommandResult {
        try Command.run(EngineService.dockerCLI, arguments,
                        environment: ["DOCKER_HOST": dockerHost, "DOCKER_CONFIG": root.file("docker-config")])
    }

    /// A python3 program with Debian's docker-py, given the socket's URL as its first argument.
    func python(_ script: String) throws -> CommandResult {
        try Command.run("/usr/bin/python3", ["-c", script, "unix://\(socket)"])
    }

    /// One raw HTTP exchange on the socket.
    func request(_ text: String, timeout: Double = 10) throws -> RawHTTP.Answer {
        try RawHTTP.exchange(socket, Array(text.utf8), timeout: timeout)
    }

    static let dockerCLI = "/usr/local/bin/docker"
    static var hasDockerCLI: Bool { FileManager.default.isExecutableFile(atPath: dockerCLI) }
    static var hasDockerPy: Bool {
        ((try? Command.run("/usr/bin/python3", ["-c", "import docker"]))?.status ?? 1) == 0
    }

    /// Removes every container of the root (through the CLI): nothing is left running.
    static func removeAllContainers(_ root: CellRoot) {
        let ids = ((try? root.cell("ps", "-aq", "--no-trunc"))?.lines) ?? []
        if !ids.isEmpty { _ = try? root.cell(["rm", "-f"] + ids) }
    }
}

/// HTTP/1.1 by hand over a unix socket: for the requests no polite client would send.
enum RawHTTP {
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String
        /// Whether the server closed the connection after answering.
        var closed: Bool

        /// The `message` of Docker's error body.
        var message: String? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["message"] as? String
        }
    }

    static func connect(_ path: String) -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { close(fd); return nil }
        return fd
    }

    static func canConnect(_ path: String) -> Bool {
        guard let fd = connect(path) else { return false }
        close(fd)
        return true
    }

    /// Sends `bytes` (all of them, as long as the server reads), then reads until the server
    /// closes or one whole answer (by its Content-Length, or a chunked body's end) has come; never
    /// longer than `timeout`: a server that hangs fails the test instead of hanging it.
    static func exchange(_ path: String, _ bytes: [UInt8], timeout: Double = 10, halfClose: Bool = false) throws -> Answer {
        let connection = try Connection(path, timeout: timeout)
        connection.send(bytes)
        if halfClose { connection.closeWriting() }
        return try connection.answer(timeout: timeout)
    }

    /// One connection, for exchanges in steps (a wait's header before its body).
    final class Connection {
        let fd: Int32
        private var received: [UInt8] = []
        private(set) var closedByServer = false

        init(_ path: String, timeout: Double = 10) throws {
            guard let fd = RawHTTP.connect(path) else { throw HarnessError.failed("connect \(path): \(String(cString: strerror(errno)))") }
            self.fd = fd
            var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        /// As much as the server reads: it may answer and close before it has read everything.
        func send(_ bytes: [UInt8]) {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent <= 0 { break }
                offset += sent
            }
        }

        func send(_ text: String) { send(Array(text.utf8)) }

        func closeWriting() { shutdown(fd, Int32(SHUT_WR)) }

        /// Reads until `done` says the bytes so far suffice, the server closes, or `timeout` passes.
        func receive(timeout: Double, until done: ([UInt8]) -> Bool) {
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !done(received) && !closedByServer {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { return }
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&descriptor, 1, Int32(left * 1000) + 1) <= 0 { continue }
                let count = recv(fd, &buffer, buffer.count, 0)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { closedByServer = true; return }
                received += buffer[0..<count]
            }
        }

        /// Whether the head of an answer has come, within `timeout`.
        func receiveHead(timeout: Double = 10) -> Bool {
            receive(timeout: timeout) { String(decoding: $0, as: UTF8.self).contains("\r\n\r\n") }
            return String(decoding: received, as: UTF8.self).contains("\r\n\r\n")
        }

        /// Whether the server closes the connection within `timeout`.
        func serverCloses(timeout: Double = 10) -> Bool {
            receive(timeout: timeout) { _ in false }
            return closedByServer
        }

        /// The answer to a HEAD request: its head is all of it (a Content-Length names a body that
        /// never comes).
        func headAnswer(timeout: Double = 10) throws -> Answer {
            guard receiveHead(timeout: timeout), let answer = RawHTTP.parse(received, closed: true) else {
                throw HarnessError.failed("no HTTP head (\(received.count) bytes)")
            }
            return answer.answer
        }

        /// The answer, once whole (or whatever came before the server closed or time ran out).
        func answer(timeout: Double = 10) throws -> Answer {
            receive(timeout: timeout) { RawHTTP.parse($0, closed: false)?.complete ?? false }
            guard let answer = RawHTTP.parse(received, closed: closedByServer) else {
                throw HarnessError.failed("no HTTP answer (\(received.count) bytes: \(String(decoding: received.prefix(200), as: UTF8.self)))")
            }
            return answer.answer
        }
    }

    static func parse(_ bytes: [UInt8], closed: Bool) -> (answer: Answer, complete: Bool)? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = String(text[end.upperBound...])
        var complete = closed
        if let length = headers["content-length"].flatMap(Int.init) {
            complete = complete || body.utf8.count >= length
        } else if headers["transfer-encoding"] == "chunked" {
            complete = complete || body.hasSuffix("0\r\n\r\n")
            body = dechunk(body)
        } else if status == 204 || status == 304 {
            complete = true
        }
        let closing = closed || headers["connection"]?.lowercased() == "close"
        return (Answer(status: status, headers: headers, body: body, closed: closing), complete)
    }

    private static func dechunk(_ text: String) -> String {
        var rest = Substring(text)
        var body = ""
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = lineEnd.upperBound
            guard let end = rest.utf8.index(start, offsetBy: size, limitedBy: rest.utf8.endIndex) else { break }
            body += rest[start..<end]
            // By bytes: "\r\n" is one Character.
            rest = rest[(rest.utf8.index(end, offsetBy: 2, limitedBy: rest.utf8.endIndex) ?? rest.endIndex)...]
        }
        return body
    }
}
