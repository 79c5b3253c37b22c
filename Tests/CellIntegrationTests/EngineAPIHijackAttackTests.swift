import Foundation
import Testing

/// Bad input and rude clients on the hijacked endpoints, by hand on the wire: ids that name
/// nothing or try to escape, sizes no terminal has, starts and attaches in states that forbid
/// them, clients that vanish mid-stream. Each is Docker's answer or a clean end, and nothing
/// leaks in the service.
@Suite struct EngineAPIHijackAttackTests {
    /// A hijacked connection by hand: the request, the head, then raw bytes.
    final class Hijacked {
        let fd: Int32
        var received: [UInt8] = []

        init(_ service: EngineService, _ request: String) throws {
            guard let fd = RawHTTP.connect(service.socket) else { throw HarnessError.failed("connect") }
            self.fd = fd
            let bytes = Array(request.utf8)
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }

        deinit { close(fd) }

        /// Reads until `done` holds or the server closes (true) or `timeout` passes.
        @discardableResult
        func read(timeout: Double = 20, until done: ([UInt8]) -> Bool = { _ in false }) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !done(received) {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { return false }
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&descriptor, 1, Int32(left * 1000) + 1) <= 0 { continue }
                let count = recv(fd, &buffer, buffer.count, 0)
                if count <= 0 { return true }
                received += buffer[0..<count]
            }
            return true
        }

        var text: String { String(decoding: received, as: UTF8.self) }
    }

    static func post(_ path: String, _ body: String = "", upgrade: Bool = true) -> String {
        let upgradeHeaders = upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : ""
        return "POST \(path) HTTP/1.1\r\nHost: cell\r\n\(upgradeHeaders)Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    static func execID(_ service: EngineService, _ container: String, _ body: String) throws -> String {
        let answer = try service.request(post("/containers/\(container)/exec", body, upgrade: false))
        guard answer.status == 201, let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
              let id = object["Id"] as? String else { throw HarnessError.failed("exec create: \(answer.status) \(answer.body)") }
        return id
    }

    @Test func execIDsThatNameNothing() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        let unknown = String(repeating: "ab", count: 32)
        for path in ["/exec/\(unknown)/json", "/exec/..%2F..%2F..%2Fetc%2Fpasswd/json", "/exec/....%2F/json", "/exec/%2e%2e/json"] {
            let answer = try service.request("GET \(path) HTTP/1.1\r\nHost: cell\r\n\r\n")
            #expect(answer.status == 404, "\(path)")
            #expect(answer.message?.hasPrefix("No such exec instance: ") == true, "\(path): \(answer.body)")
        }
        let start = try service.request(Self.post("/exec/\(unknown)/start", "{}"))
        #expect(start.status == 404 && start.message == "No such exec instance: \(unknown)")
        let resize = try service.request(Self.post("/exec/\(unknown)/resize?h=10&w=10", upgrade: false))
        #expect(resize.status == 404)
        let noCommand = try service.request(Self.post("/containers/nosuch/exec", #"{"Cmd": ["true"]}"#, upgrade: false))
        #expect(noCommand.status == 404 && noCommand.message == "No such container: nosuch")
    }

    @Test func refusedStatesAndSizes() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try root.cell("run", "-d", "--name", "box", "-t", "busybox", "sleep", "1000").expectSuccess()

        let empty = try service.request(Self.post("/containers/box/exec", #"{"Cmd": []}"#, upgrade: false))
        #expect(empty.status == 400 && empty.message == "No exec command specified")
        let id = try Self.execID(service, "box", #"{"Cmd": ["sleep", "1000"], "Tty": true}"#)
        // Sizes no terminal has are a 400; resizing what has not started is a 409.
        for query in ["h=-1&w=10", "h=99999999999&w=10", "h=70000&w=10", "h=10&w=abc"] {
            let answer = try service.request(Self.post("/exec/\(id)/resize?\(query)", upgrade: false))
            #expect(answer.status == 400, "\(query): \(answer.body)")
        }
        #expect(try service.request(Self.post("/containers/box/resize?h=-5&w=2", upgrade: false)).status == 400)
        #expect(try service.request(Self.post("/containers/box/resize?h=40&w=100", upgrade: false)).status == 200)
        #expect(try service.request(Self.post("/exec/\(id)/resize?h=10&w=10", upgrade: false)).status == 409)

        // Started once (detached), never twice.
        #expect(try service.request(Self.post("/exec/\(id)/start", #"{"Detach": true}"#, upgrade: false)).status == 200)
        let again = try service.request(Self.post("/exec/\(id)/start", #"{"Detach": true}"#, upgrade: false))
        #expect(again.status == 409 && again.message?.hasPrefix("exec command \(id) is already running") == true, "\(again.body)")
        let inspect = try service.request("GET /exec/\(id)/json HTTP/1.1\r\nHost: cell\r\n\r\n")
        #expect(inspect.body.contains(#""Running":true"#) && inspect.body.contains(#""ExitCode":null"#))

        // Paused: Docker's 409s for exec and attach.
        try root.cell("pause", "box").expectSuccess()
        let pausedExec = try service.request(Self.post("/containers/box/exec", #"{"Cmd": ["true"]}"#, upgrade: false))
        #expect(pausedExec.status == 409 && pausedExec.message == "Container box is paused, unpause the container before exec")
        let pausedAttach = try service.request(Self.post("/containers/box/attach?stream=1&stdout=1"))
        #expect(pausedAttach.status == 409 && pausedAttach.message == "container box is paused, unpause the container before attach")
        try root.cell("unpause", "box").expectSuccess()

        // Stopped: the exec's container is gone from under it.
        try root.cell("stop", "-t", "0", "box").expectSuccess()
        let full = try root.cell("inspect", "-f", "{{.Id}}", "box").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let stoppedExec = try service.request(Self.post("/containers/box/exec", #"{"Cmd": ["true"]}"#, upgrade: false))
        #expect(stoppedExec.status == 409 && stoppedExec.message == "container \(full) is not running")
        let stoppedStart = try service.request(Self.post("/exec/\(id)/start", "{}"))
        #expect(stoppedStart.status == 409)
        #expect(try service.request(Self.post("/containers/box/resize?h=4&w=4", upgrade: false)).status == 409)
        let keys = try service.request(Self.post("/containers/box/attach?stream=1&detachKeys=ctrl-"))
        #expect(keys.status == 400 && keys.message == "Invalid detach keys (ctrl-) provided")
    }

    /// Docker's daemon lets a client attach to a container that does not run (`docker start -a`
    /// attaches first): the attach waits for the start, here from the CLI, and sees all of it.
    @Test func attachToAStoppedContainerWaitsForItsStart() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try root.cell("create", "--name", "later", "busybox", "sh", "-c", "echo first; echo second >&2").expectSuccess()
        let attach = try Hijacked(service, Self.post("/v1.43/containers/later/attach?stream=1&stdout=1&stderr=1"))
        #expect(attach.read(timeout: 10) { String(decoding: $0, as: UTF8.self).contains("\r\n\r\n") })
        #expect(attach.text.hasPrefix("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n"))
        // The client is in the room before the start.
        let id = try root.cell("inspect", "-f", "{{.Id}}", "later").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let room = "\(root.path)/containers/\(id)/attach-waiting"
        #expect(waitUntil(timeout: 10) { ((try? FileManager.default.contentsOfDirectory(atPath: room)) ?? []).count == 1 })
        try root.cell("start", "later").expectSuccess()
        #expect(attach.read(timeout: 20))
        let body = Array(attach.received[(attach.text.range(of: "\r\n\r\n")!.upperBound.utf16Offset(in: attach.text))...])
        #expect(body == [1, 0, 0, 0, 0, 0, 0, 6] + Array("first\n".utf8) + [2, 0, 0, 0, 0, 0, 0, 7] + Array("second\n".utf8))
    }

    /// Clients that go mid-stream: the container runs on, the exec ends as over a dropped
    /// terminal, and the service holds no descriptor and no thread for them.
    @Test func clientsThatVanishMidStream() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try root.cell("run", "-d", "--name", "chatty", "busybox", "sh", "-c", "while true; do echo tick; sleep 0.05; done").expectSuccess()
        let fds = { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(service.process.pid)/fd").count) ?? -1 }
        let threads = { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(service.process.pid)/task").count) ?? -1 }
        _ = try service.request("GET /_ping HTTP/1.1\r\nHost: cell\r\n\r\n")
        let baseline = fds(), threadBaseline = threads()

        for _ in 0..<3 {
            let attach = try Hijacked(service, Self.post("/containers/chatty/attach?stream=1&stdout=1"))
            #expect(attach.read(timeout: 10) { String(decoding: $0, as: UTF8.self).contains("tick") })
            let id = try Self.execID(service, "chatty", #"{"Cmd": ["sh", "-c", "while true; do echo y; done"], "AttachStdout": true}"#)
            let exec = try Hijacked(service, Self.post("/exec/\(id)/start", "{}"))
            #expect(exec.read(timeout: 10) { $0.count > 100_000 })
            // Gone without a word, mid-stream.
            shutdown(exec.fd, Int32(SHUT_RDWR))
            shutdown(attach.fd, Int32(SHUT_RDWR))
            // The exec's output broke (EPIPE): it ended, and its record says so.
            #expect(waitUntil(timeout: 20) {
                (try? service.request("GET /exec/\(id)/json HTTP/1.1\r\nHost: cell\r\n\r\n").body.contains(#""Running":false"#)) == true
            })
        }
        #expect(try root.cell("inspect", "-f", "{{.State.Running}}", "chatty").stdout == "true\n")
        #expect(waitUntil(timeout: 20) { fds() <= baseline }, "descriptors: \(fds()) after, \(baseline) before")
        #expect(waitUntil(timeout: 20) { threads() <= threadBaseline }, "threads: \(threads()) after, \(threadBaseline) before")
        #expect(try service.request("GET /_ping HTTP/1.1\r\nHost: cell\r\n\r\n").body == "OK")
    }
}
