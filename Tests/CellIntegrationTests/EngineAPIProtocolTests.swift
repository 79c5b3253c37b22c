import Foundation
import Testing

/// The Engine API on the wire, by hand: Docker's headers, version prefixes, status codes and
/// stream formats, and the requests no polite client sends (play the attacker): each gets one clear
/// answer, never a crash, a hung connection or a leaked descriptor.
@Suite struct EngineAPIProtocolTests {
    static func get(_ path: String) -> String { "GET \(path) HTTP/1.1\r\nHost: cell\r\n\r\n" }

    static func post(_ path: String, _ body: String = "", type: String = "application/json") -> String {
        "POST \(path) HTTP/1.1\r\nHost: cell\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func pingVersionsAndUnknownPaths() throws {
        let root = try CellRoot()
        let service = try EngineService(root: root)
        let ping = try service.request(Self.get("/_ping"))
        #expect(ping.status == 200 && ping.body == "OK")
        #expect(ping.headers["api-version"] == "1.43" && ping.headers["ostype"] == "linux")
        #expect(ping.headers["docker-experimental"] == "false" && ping.headers["builder-version"] == "1")
        #expect(ping.headers["cache-control"] == "no-cache, no-store, must-revalidate" && ping.headers["pragma"] == "no-cache")
        let head = try service.request("HEAD /_ping HTTP/1.1\r\nHost: cell\r\n\r\n")
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "0" && head.headers["api-version"] == "1.43")

        for prefix in ["", "/v1.24", "/v1.41", "/v1.43"] {
            let version = try service.request(Self.get("\(prefix)/version"))
            #expect(version.status == 200 && version.headers["content-type"] == "application/json", "\(prefix)")
            let document = try JSONSerialization.jsonObject(with: Data(version.body.utf8)) as? [String: Any]
            #expect(document?["ApiVersion"] as? String == "1.43" && document?["MinAPIVersion"] as? String == "1.24")
        }
        let tooNew = try service.request(Self.get("/v1.44/version"))
        #expect(tooNew.status == 400 && tooNew.message == "client version 1.44 is too new. Maximum supported API version is 1.43")
        let tooOld = try service.request(Self.get("/v1.23/containers/json"))
        #expect(tooOld.status == 400 && tooOld.message?.hasPrefix("client version 1.23 is too old. Minimum supported API version is 1.24") == true)
        for request in [Self.get("/v1.43/nothing/here"), Self.get("/containers"), "DELETE /_ping HTTP/1.1\r\nHost: cell\r\n\r\n",
                        Self.get("/containers/../../etc/json")] {
            let answer = try service.request(request)
            #expect(answer.status == 404 && answer.message == "page not found", "\(request)")
        }
    }

    @Test func malformedCreationsGetOneClearLine() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        let cases: [(body: String, status: Int, message: String)] = [
            ("", 400, "Config cannot be empty in order to create a container"),
            (#"{"Image": "busybox","#, 400, "invalid JSON"),
            ("[1, 2]", 400, "Config: expected a JSON object"),
            (String(repeating: "[", count: 100_000), 400, "invalid JSON"),
            (#"{"Cmd": ["true"]}"#, 400, "Config.Image: no image given"),
            (#"{"Image": "busybox", "Cmd": 5}"#, 400, "Config.Cmd: expected a list of strings"),
            (#"{"Image": "busybox", "Bogus": {"a": 1}}"#, 400, "Config.Bogus is not supported"),
            (#"{"Image": "busybox", "HostConfig": {"Privileged": "yes"}}"#, 400, "HostConfig.Privileged: expected true or false"),
            (#"{"Image": "busybox", "HostConfig": {"Bogus": [1]}}"#, 400, "HostConfig.Bogus is not supported"),
            (#"{"Image": "busybox", "HostConfig": {"RestartPolicy": {"Name": "sometimes"}}}"#, 400, "invalid restart policy: unknown policy 'sometimes'"),
            (#"{"Image": "busybox", "HostConfig": {"CgroupParent": "elsewhere"}}"#, 400, "HostConfig.CgroupParent is not supported: cell puts every container's cgroup under cell/"),
            (#"{"Image": "busybox", "HostConfig": {"Binds": ["/src:relative"]}}"#, 400, "invalid volume specification"),
            (#"{"Image": "busybox", "Env": ["A=b\u0000c"]}"#, 400, "contains a NUL byte"),
            (#"{"Image": "nosuch"}"#, 404, "No such image: nosuch:latest"),
            // Counted before it was checked, this range took the service down.
            (#"{"Image": "busybox", "HostConfig": {"CpusetCpus": "0-9223372036854775807"}}"#, 400, "Invalid value 0-9223372036854775807 for cpuset cpus"),
        ]
        for (body, status, message) in cases {
            let answer = try service.request(Self.post("/v1.43/containers/create", body))
            #expect(answer.status == status && answer.message?.contains(message) == true, "\(body.prefix(60)): \(answer.status) \(answer.body)")
        }
        let typed = try service.request(Self.post("/containers/create", #"{"Image":"busybox"}"#, type: "text/plain"))
        #expect(typed.status == 400 && typed.message == "unsupported Content-Type header (text/plain): must be 'application/json'")
        let nul = try service.request(Self.post("/containers/create?name=a%00b", #"{"Image":"busybox"}"#))
        #expect(nul.status == 400 && nul.message == "invalid NUL byte in query parameter name")
        let escape = try service.request(Self.get("/containers/json?all=%zz"))
        #expect(escape.status == 400 && escape.message == "invalid URL escape in query parameter all")
        let limit = try service.request(Self.get("/containers/json?limit=many"))
        #expect(limit.status == 400 && limit.message?.contains("invalid syntax") == true)
        let badName = try service.request(Self.post("/containers/create?name=..%2Fescape", #"{"Image":"busybox"}"#))
        #expect(badName.status == 400 && badName.message?.contains("Invalid container name") == true, "\(badName.body)")
        // Unknown fields left at their zero values are what clients send for "unset": fine.
        let zeros = try service.request(Self.post("/containers/create?name=zeros",
            #"{"Image": "busybox", "Bogus": null, "Volumes": {}, "HostConfig": {"Bogus": 0, "Links": [], "RestartPolicy": {"Name": "", "MaximumRetryCount": 0}, "ConsoleSize": [0, 0]}}"#))
        #expect(zeros.status == 201, "\(zeros.body)")
        let conflict = try service.request(Self.post("/containers/create?name=zeros", #"{"Image": "busybox"}"#))
        #expect(conflict.status == 409 && conflict.message?.contains("zeros") == true)
        #expect(try root.cell("ps", "-a", "--format", "{{.Names}}").stdout == "zeros\n")
    }

    @Test func pathsThatTryToEscapeNameNothing() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        let padded = String(repeating: "..%2F", count: 21) + "x"
        for path in ["/containers/..%2F..%2Fetc/json", "/containers/\(padded)/json", "/containers/%2Fetc%2Fpasswd/logs?stdout=1"] {
            let answer = try service.request(Self.get(path))
            #expect(answer.status == 404 && answer.message?.hasPrefix("No such container: ") == true, "\(path): \(answer.body)")
        }
        let nul = try service.request(Self.get("/containers/a%00b/json"))
        #expect(nul.status == 400 && nul.message == "invalid NUL byte in path parameter id")
        for path in ["/images/..%2F..%2Fetc%2Fpasswd/json", "/images/../../etc/passwd/json", "/images/%2E%2E/history"] {
            let answer = try service.request(Self.get(path))
            #expect((400..<405).contains(answer.status) && answer.message?.isEmpty == false, "\(path): \(answer.status) \(answer.body)")
        }
        let tag = try service.request(Self.post("/images/busybox/tag?repo=..%2Fx"))
        #expect(tag.status == 400, "\(tag.body)")
        #expect(try root.cell("images", "--format", "{{.Repository}}").stdout == "busybox\n")
    }

    /// Bodies too large or shorter than they claim, and bytes that are not HTTP.
    @Test func sizesLiesAndGarbage() throws {
        let root = try CellRoot()
        let service = try EngineService(root: root, environment: ["CELL_SERVICE_REQUEST_TIMEOUT": "1"])
        let fds = { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(service.process.pid)/fd").count) ?? -1 }
        #expect(try service.request(Self.get("/_ping")).status == 200)
        let baseline = fds()

        // Claimed too large: refused before a byte of the body is read, and the connection closed.
        let claimed = try RawHTTP.Connection(service.socket)
        claimed.send("POST /containers/create HTTP/1.1\r\nHost: cell\r\nContent-Type: application/json\r\nContent-Length: 100000000000\r\n\r\n{")
        let refused = try claimed.answer()
        #expect(refused.status == 413 && refused.message?.hasPrefix("request body too large") == true)
        #expect(claimed.serverCloses())
        // Sent too large, with a length or in chunks.
        let big = String(repeating: "x", count: 5 << 20)
        #expect(try service.request(Self.post("/containers/create", big)).status == 413)
        let chunked = "POST /containers/create HTTP/1.1\r\nHost: cell\r\nTransfer-Encoding: chunked\r\n\r\n"
            + String(repeating: "100000\r\n" + String(repeating: "y", count: 0x100000) + "\r\n", count: 5) + "0\r\n\r\n"
        #expect(try service.request(chunked).status == 413)

        // A Content-Length longer than the body, and a client that then waits: a 400 once the
        // request's time is up, and the connection closed.
        let stalled = try RawHTTP.Connection(service.socket)
        stalled.send("POST /containers/create HTTP/1.1\r\nHost: cell\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"Image\"")
        let late = try stalled.answer(timeout: 20)
        #expect(late.status == 400 && late.message?.hasPrefix("the request was not received in time") == true)
        #expect(stalled.serverCloses())
        // The same, half-closed: the end of the input ends the request at once.
        let halfClosed = try RawHTTP.Connection(service.socket)
        halfClosed.send("POST /containers/create HTTP/1.1\r\nHost: cell\r\nContent-Length: 100\r\n\r\n{")
        halfClosed.closeWriting()
        #expect(halfClosed.serverCloses(timeout: 20))
        // Shorter than the body: the rest is read as the next request, which is not HTTP.
        let longer = try RawHTTP.Connection(service.socket)
        longer.send("POST /containers/prune HTTP/1.1\r\nHost: cell\r\nContent-Length: 2\r\n\r\n{}trailing garbage\r\n\r\n")
        #expect(try longer.answer().status == 200)
        #expect(longer.serverCloses())
        for garbage in ["HELLO\r\n\r\n", "GET /_ping HTTP/9.9\r\n\r\n", "GET /_ping HTTP/1.1\r\nHost: cell\r\nContent-Length: -5\r\n\r\n", "\u{0}\u{1}\u{2}\r\n\r\n"] {
            let answer = try service.request(garbage)
            #expect(answer.status == 400 && answer.closed, "\(garbage.debugDescription): \(answer.status)")
        }

        // Still serving, and every connection's descriptor given back (the baseline may still hold
        // the first ping's connection).
        #expect(try service.request(Self.get("/_ping")).status == 200)
        #expect(waitUntil(timeout: 10) { fds() <= baseline }, "descriptors: \(fds()) after, \(baseline) before")
    }

    @Test func logsAreDockersStreams() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try root.cell("run", "--name", "plain", "busybox", "sh", "-c", "echo out; echo err >&2").expectSuccess()
        try root.cell("run", "-t", "--name", "terminal", "busybox", "echo", "raw").expectSuccess()

        let framed = try service.request(Self.get("/v1.43/containers/plain/logs?stdout=1&stderr=1"))
        #expect(framed.status == 200 && framed.headers["content-type"] == "application/vnd.docker.multiplexed-stream")
        #expect(Array(framed.body.utf8) == [1, 0, 0, 0, 0, 0, 0, 4] + Array("out\n".utf8) + [2, 0, 0, 0, 0, 0, 0, 4] + Array("err\n".utf8))
        let onlyErrors = try service.request(Self.get("/containers/plain/logs?stderr=true"))
        #expect(Array(onlyErrors.body.utf8) == [2, 0, 0, 0, 0, 0, 0, 4] + Array("err\n".utf8))
        let old = try service.request(Self.get("/v1.41/containers/plain/logs?stdout=1"))
        #expect(old.headers["content-type"] == "application/vnd.docker.raw-stream" && old.body.utf8.first == 1)
        let raw = try service.request(Self.get("/containers/terminal/logs?stdout=1&stderr=1"))
        #expect(raw.headers["content-type"] == "application/vnd.docker.raw-stream" && raw.body == "raw\r\n")
        let future = try service.request(Self.get("/containers/plain/logs?stdout=1&since=4000000000"))
        #expect(future.status == 200 && future.body.isEmpty)
        let none = try service.request(Self.get("/containers/plain/logs"))
        #expect(none.status == 400 && none.message == "Bad parameters: you must choose at least one stream")
        let badSince = try service.request(Self.get("/containers/plain/logs?stdout=1&since=yesterday"))
        #expect(badSince.status == 400 && badSince.message?.hasPrefix("invalid value for \"since\"") == true)
    }

    /// `next-exit` before a start and `removed` for a --rm container, in the order the docker CLI
    /// uses them for `run`: the wait's 200 first, then the start, then the status.
    @Test func waitConditionsAnswerInDockersOrder() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try root.cell("create", "--name", "later", "busybox", "sh", "-c", "exit 7").expectSuccess()
        let next = try RawHTTP.Connection(service.socket)
        next.send(Self.post("/v1.43/containers/later/wait?condition=next-exit"))
        #expect(next.receiveHead())
        try root.cell("start", "later").expectSuccess()
        let answer = try next.answer(timeout: 30)
        #expect(answer.status == 200 && answer.body == "{\"StatusCode\":7}\n")
        // Not running already: at once.
        #expect(try service.request(Self.post("/containers/later/wait")).body == "{\"StatusCode\":7}\n")

        try root.cell("create", "--rm", "--name", "brief", "busybox", "sh", "-c", "exit 2").expectSuccess()
        let removed = try RawHTTP.Connection(service.socket)
        removed.send(Self.post("/containers/brief/wait?condition=removed"))
        #expect(removed.receiveHead())
        // Started through the service: its monitor's exit status is the only trace of the run.
        #expect(try service.request(Self.post("/containers/brief/start")).status == 204)
        #expect(try removed.answer(timeout: 30).body == "{\"StatusCode\":2}\n")
        #expect(try root.cell("ps", "-a", "--format", "{{.Names}}").stdout == "later\n")

        let bad = try service.request(Self.post("/containers/later/wait?condition=sometime"))
        #expect(bad.status == 400 && bad.message == "invalid condition: \"sometime\"")
        let missing = try service.request(Self.post("/containers/nobody/wait"))
        #expect(missing.status == 404 && missing.message == "No such container: nobody")
    }

    /// A web page's request to a loopback address (CSRF, DNS rebinding) is not an API client's;
    /// a tail past every line there could be is all of the log, not an overflow.
    @Test func browsersAreRefusedAndHugeTailsAreAll() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        let fromPage = try service.request("POST /containers/create HTTP/1.1\r\nHost: 127.0.0.1:2375\r\nOrigin: http://evil.example\r\nContent-Length: 19\r\n\r\n{\"Image\":\"busybox\"}")
        #expect(fromPage.status == 403 && fromPage.message == "requests from web browsers are refused", "\(fromPage.body)")
        let fetched = try service.request("GET /containers/json HTTP/1.1\r\nHost: cell\r\nSec-Fetch-Site: cross-site\r\n\r\n")
        #expect(fetched.status == 403)
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try root.cell("run", "--name", "talker", "--log-opt", "max-size=1k", "--log-opt", "max-file=2", "busybox", "sh", "-c", "echo one; echo two").expectSuccess()
        let logs = try service.request(Self.get("/containers/talker/logs?stdout=1&tail=9223372036854775807"))
        #expect(logs.status == 200 && logs.body.contains("one") && logs.body.contains("two"), "\(logs.body)")
        #expect(try service.request(Self.get("/_ping")).status == 200)
    }

    /// Requests sent one after the other without waiting (HTTP/1.1 pipelining) are each answered,
    /// in order: the second was once dropped, and the client waited for ever.
    @Test func pipelinedRequestsAreEachAnswered() throws {
        let root = try CellRoot()
        let service = try EngineService(root: root)
        let script = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
        s.sendall(b"GET /_ping HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nGET /version HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nGET /_ping HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk: break
            data += chunk
        print(data.count(b"HTTP/1.1 200 OK"), b'"ApiVersion":"1.43"' in data)
        """
        let answer = try Command.run("/usr/bin/python3", ["-c", script, service.socket])
        #expect(answer.stdout == "3 True\n", "\(answer.stdout)\(answer.stderr)")
    }
}
