import Foundation
import Testing

/// `cell system service` as a process: its socket, its idle exit, its signals, systemd's socket
/// activation, the addresses it refuses; and that the containers outlive it.
@Suite struct EngineServiceTests {
    @Test func socketIsPrivateAndTheServiceEndsWhenIdle() throws {
        let root = try CellRoot()
        let directory = root.file("run/cell")
        let service = try EngineService(root: root, arguments: ["--time", "3"], address: "unix://\(directory)/cell.sock")
        let socket = "\(directory)/cell.sock"
        #expect(waitUntil(timeout: 20) { RawHTTP.canConnect(socket) })
        let attributes = try FileManager.default.attributesOfItem(atPath: socket)
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
        // 0660 for group cell where that group exists; here, else, root's alone.
        #expect(mode == (getgrnam("cell") == nil ? 0o600 : 0o660))
        #expect((try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? NSNumber)?.intValue == 0o755)
        // A request keeps it; then, three seconds without a client, it ends by itself and takes its socket along.
        #expect(try RawHTTP.exchange(socket, Array("GET /_ping HTTP/1.1\r\nHost: cell\r\n\r\n".utf8)).status == 200)
        #expect(waitUntil(timeout: 20) { service.process.exitStatusIfExited() != nil })
        #expect(service.process.exitStatusIfExited() == 0)
        #expect(!FileManager.default.fileExists(atPath: socket))
    }

    /// A container's monitor started by the service holds none of the service's descriptors: a
    /// service killed outright can be started again on its socket while the container runs.
    @Test func aKilledServiceLeavesItsSocketToTheNext() throws {
        let root = try CellRoot()
        try root.importBusybox()
        defer { EngineService.removeAllContainers(root) }
        let service = try EngineService(root: root)
        #expect(try service.request(EngineAPIProtocolTests.post("/containers/create?name=held", #"{"Image":"busybox","Cmd":["sleep","1000"]}"#)).status == 201)
        #expect(try service.request(EngineAPIProtocolTests.post("/containers/held/start")).status == 204)
        kill(service.process.pid, SIGKILL)
        _ = service.stop()
        let next = try EngineService(root: root)
        #expect(try next.request(EngineAPIProtocolTests.get("/_ping")).status == 200)
        #expect(try root.cell("inspect", "-f", "{{.State.Status}}", "held").stdout == "running\n")
    }

    @Test func stoppingTheServiceStopsNoContainer() throws {
        let root = try CellRoot()
        try root.importBusybox()
        defer { EngineService.removeAllContainers(root) }
        let service = try EngineService(root: root)
        let created = try service.request(EngineAPIProtocolTests.post("/containers/create?name=survivor", #"{"Image":"busybox","Cmd":["sleep","1000"]}"#))
        #expect(created.status == 201)
        #expect(try service.request(EngineAPIProtocolTests.post("/containers/survivor/start")).status == 204)
        #expect(service.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: service.socket))
        #expect(try root.cell("inspect", "-f", "{{.State.Status}}", "survivor").stdout == "running\n")
        // A new service sees it, as the CLI does.
        let next = try EngineService(root: root)
        let listed = try next.request(EngineAPIProtocolTests.get("/containers/json"))
        let names = (try JSONSerialization.jsonObject(with: Data(listed.body.utf8)) as? [[String: Any]])?.map { $0["Names"] as? [String] }
        #expect(names == [["/survivor"]])
    }

    @Test func staleBusyAndForeignSocketPaths() throws {
        let root = try CellRoot()
        // A socket left by a service that died is replaced.
        let stale = root.file("stale.sock")
        try Command.run("/usr/bin/python3", ["-c", "import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])", stale]).expectSuccess()
        let service = try EngineService(root: root, address: "unix://\(stale)")
        #expect(waitUntil(timeout: 20) { RawHTTP.canConnect(stale) })
        // One that answers is another service's.
        let busy = try root.cell("system", "service", "unix://\(stale)")
        #expect(busy.status == 125 && busy.stderr == "cell system service: unix://\(stale) is in use: another service listens on it\n")
        #expect(service.stop() == 0)
        // Not a socket: left alone.
        let file = root.file("file.sock")
        FileManager.default.createFile(atPath: file, contents: Data("keep".utf8))
        let foreign = try root.cell("system", "service", "unix://\(file)")
        #expect(foreign.status == 125 && foreign.stderr == "cell system service: \(file) exists and is not a socket\n")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep")
    }

    @Test func tcpOnLoopbackOnly() throws {
        let root = try CellRoot()
        for address in ["tcp://0.0.0.0:2375", "tcp://[::]:2375", "tcp://192.0.2.1:2375"] {
            let refused = try root.cell("system", "service", address)
            #expect(refused.status == 125 && refused.stderr.contains("TCP on an address other than loopback needs --tlsverify"), "\(address): \(refused.stderr)")
        }
        for (arguments, message) in [(["unix://relative.sock"], "a unix socket's path must be absolute"), (["http://x"], "unsupported address"),
                                     (["--time", "-1"], "--time"), (["a", "b"], "accepts at most 1 argument")] {
            let wrong = try root.cell(["system", "service"] + arguments)
            #expect(wrong.status == 125 && wrong.stderr.contains(message), "\(arguments): \(wrong.stderr)")
        }
        guard EngineService.hasDockerCLI else { return }
        let port = try LocalRegistry.freePort()
        let service = try EngineService(root: root, address: "tcp://127.0.0.1:\(port)")
        defer { service.stop() }
        let docker = { try Command.run(EngineService.dockerCLI, ["version", "--format", "{{.Server.Version}}"],
                                       environment: ["DOCKER_HOST": "tcp://127.0.0.1:\(port)", "DOCKER_CONFIG": root.file("docker-config")]) }
        #expect(try waitUntil(timeout: 20) { try docker().status == 0 })
        #expect(try docker().stdout == "24.0.7\n")
    }

    /// systemd's socket activation, played by Python: a socket listening on argv[1] (a path:
    /// unix; else HOST:PORT) as fd 3, LISTEN_FDS and LISTEN_PID set, then the service (argv[2])
    /// exec'd with the store argv[3].
    static let activationLauncher = """
        import os, socket, sys
        if sys.argv[1].startswith("/"):
            s = socket.socket(socket.AF_UNIX)
            s.bind(sys.argv[1])
        else:
            host, port = sys.argv[1].rsplit(":", 1)
            s = socket.socket(socket.AF_INET)
            s.bind((host, int(port)))
        s.listen(16)
        if s.fileno() != 3:
            os.dup2(s.fileno(), 3)
        os.set_inheritable(3, True)
        os.environ["LISTEN_FDS"] = "1"
        os.environ["LISTEN_PID"] = str(os.getpid())
        os.execv(sys.argv[2], [sys.argv[2], "--root", sys.argv[3], "--time", "0"])
        """

    /// systemd passes a listening socket as fd 3 with LISTEN_PID and LISTEN_FDS (the launcher here
    /// execs the service in its own process, so LISTEN_PID is the service's pid).
    @Test func socketActivation() throws {
        let root = try CellRoot()
        let socket = root.file("activated.sock")
        let serviceBinary = (Paths.cell as NSString).deletingLastPathComponent + "/cell-service"
        let process = try ChildProcess("/usr/bin/python3", ["-c", Self.activationLauncher, socket, serviceBinary, root.path],
                                       captureOutput: false)
        defer {
            if process.exitStatusIfExited() == nil { kill(process.pid, SIGTERM) }
            process.waitForExit()
        }
        #expect(waitUntil(timeout: 20) { RawHTTP.canConnect(socket) })
        let ping = try RawHTTP.exchange(socket, Array("GET /v1.43/_ping HTTP/1.1\r\nHost: cell\r\n\r\n".utf8))
        #expect(ping.status == 200 && ping.body == "OK")
        kill(process.pid, SIGTERM)
        #expect(process.waitForExit() == 0)
        // systemd's socket is systemd's: the service leaves the file.
        #expect(FileManager.default.fileExists(atPath: socket))
    }

    /// A TCP socket from systemd is judged as a tcp:// address: off loopback it needs
    /// --tlsverify, or the service refuses to start rather than serve root to the network.
    @Test func anActivatedTCPSocketOffLoopbackNeedsClientCertificates() throws {
        let root = try CellRoot()
        let serviceBinary = (Paths.cell as NSString).deletingLastPathComponent + "/cell-service"
        let refused = try Command.run("/usr/bin/timeout", ["20", "/usr/bin/python3", "-c", Self.activationLauncher, "0.0.0.0:0",
                                                           serviceBinary, root.path])
        #expect(refused.status != 0 && refused.stderr.contains("(from systemd): TCP on an address other than loopback needs --tlsverify"),
                "exit \(refused.status): \(refused.stderr)")
    }
}
