import Foundation
import Testing

/// `/containers/{id}/top`, `/changes` and `/export` through the docker CLI and docker-py, against
/// what cell's own `top`, `diff` and `export` show of the same store.
@Suite struct EngineAPITopDiffExportTests {
    /// A running `box` that has added, changed and deleted files, ready once /ready exists.
    static func startBox(_ root: CellRoot) throws {
        try root.cell("run", "-d", "--name", "box", "busybox", "sh", "-c",
                      "mkdir -p /data; echo new > /data/new; echo changed >> /etc/group; rm /bin/vi; touch /ready; exec sleep 1000").expectSuccess()
        #expect(try waitUntil { try root.cell("exec", "box", "test", "-e", "/ready").status == 0 })
    }

    @Test(.enabled(if: EngineService.hasDockerCLI, "needs the docker CLI at /usr/local/bin/docker"))
    func dockerTopDiffAndExport() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try Self.startBox(root)

        // top: ps -ef's columns, the container's processes (host pids, as cell top shows them).
        let top = try service.docker("top", "box")
        try top.expectSuccess()
        let words = { (line: String) in line.split(separator: " ").map(String.init) }
        #expect(top.lines.first.map(words) == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"])
        let pids = { (result: CommandResult) in Set(result.lines.dropFirst().compactMap { words($0).dropFirst().first }) }
        #expect(pids(top) == pids(try root.cell("top", "box")) && pids(top).count == 1)
        #expect(top.lines.last?.hasSuffix("sleep 1000") == true)
        // ps options of the caller's own: the host's ps, cut to the container's pids.
        let custom = try service.docker("top", "box", "-o", "pid,comm")
        try custom.expectSuccess()
        #expect(custom.lines.map(words) == [["PID", "COMMAND"], [pids(top).first ?? "", "sleep"]])

        // diff: the same lines as cell diff.
        let diff = try service.docker("diff", "box")
        try diff.expectSuccess()
        #expect(diff.stdout == (try root.cell("diff", "box")).stdout)
        #expect(diff.lines.contains("A /data/new") && diff.lines.contains("C /etc/group") && diff.lines.contains("D /bin/vi"))

        // export: the same entries as cell export.
        try service.docker("export", "-o", root.file("api.tar"), "box").expectSuccess()
        try root.cell("export", "-o", root.file("cli.tar"), "box").expectSuccess()
        let listing = { (file: String) in Set(try Command.shell("tar -tf \(file)").lines) }
        let exported = try listing(root.file("api.tar"))
        #expect(exported == (try listing(root.file("cli.tar"))))
        #expect(exported.contains("data/new") && !exported.contains("bin/vi"))
        #expect(try Command.shell("tar -xOf \(root.file("api.tar")) data/new").stdout == "new\n")

        // A stopped container has no processes; a missing one is Docker's 404.
        try root.cell("stop", "-t", "0", "box").expectSuccess()
        let stopped = try service.docker("top", "box")
        #expect(stopped.status != 0 && stopped.stderr.contains("is not running"))
        #expect(try service.docker("diff", "box").stdout == diff.stdout)
        let missing = try service.docker("export", "nope")
        #expect(missing.status != 0 && missing.stderr.contains("No such container: nope"))
    }

    @Test(.enabled(if: EngineService.hasDockerPy, "needs Debian's python3-docker"))
    func dockerPyTopDiffAndExport() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try Self.startBox(root)
        let result = try service.python("""
            import docker, io, json, sys, tarfile
            client = docker.DockerClient(base_url=sys.argv[1])
            c = client.containers.get("box")
            top = c.top()
            custom = c.top(ps_args="-o pid,args")
            diff = c.diff()
            with tarfile.open(fileobj=io.BytesIO(b"".join(c.export()))) as t:
                names = t.getnames()
            print(json.dumps({"top": top, "custom": custom, "diff": diff, "names": names}))
            """)
        #expect(result.status == 0, "\(result.stderr)")
        let out = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let top = out["top"] as? [String: Any]
        #expect(top?["Titles"] as? [String] == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"])
        #expect((top?["Processes"] as? [[String]])?.map { $0.last } == ["sleep 1000"])
        let custom = out["custom"] as? [String: Any]
        #expect(custom?["Titles"] as? [String] == ["PID", "COMMAND"])
        #expect((custom?["Processes"] as? [[String]])?.map { $0.last } == ["sleep 1000"])
        let diff = (out["diff"] as? [[String: Any]]) ?? []
        let kinds = Dictionary(diff.compactMap { entry in (entry["Path"] as? String).map { ($0, entry["Kind"] as? Int) } }) { a, _ in a }
        #expect(kinds["/data/new"] == 1 && kinds["/etc/group"] == 0 && kinds["/bin/vi"] == 2)
        let names = Set((out["names"] as? [String]) ?? [])
        #expect(names.contains("data/new") && names.contains("etc/group") && !names.contains("bin/vi"))
    }

    @Test func answersOnTheWire() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try root.cell("create", "--name", "fresh", "busybox", "true").expectSuccess()
        let get = { (path: String) in try service.request("GET /v1.43\(path) HTTP/1.1\r\nHost: cell\r\n\r\n") }

        // Nothing changed yet: Go's empty slice, null.
        let unchanged = try get("/containers/fresh/changes")
        #expect(unchanged.status == 200 && unchanged.body == "null\n")
        let notRunning = try get("/containers/fresh/top")
        #expect(notRunning.status == 409 && notRunning.message?.contains("is not running") == true)
        for path in ["/containers/nope/top", "/containers/nope/changes", "/containers/nope/export", "/containers/%00/export"] {
            let answer = try get(path)
            #expect(answer.status == (path.contains("%00") ? 400 : 404), "\(path): \(answer.status)")
        }
        // The head of a stream (its 2 MB body is read by the clients above).
        let connection = try RawHTTP.Connection(service.socket)
        connection.send("GET /containers/fresh/export HTTP/1.1\r\nHost: cell\r\n\r\n")
        let export = try connection.headAnswer()
        #expect(export.status == 200 && export.headers["content-type"] == "application/x-tar")
    }
}
