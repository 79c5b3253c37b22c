import Foundation
import Testing

/// `stats`, `system df`, `commit`, `rename` and `update` through the Engine API, driven by the
/// docker CLI 28 and docker-py: what they print and return is what is asserted.
@Suite(.enabled(if: EngineService.hasDockerCLI, "needs the docker CLI at /usr/local/bin/docker"))
struct EngineAPIStatsTests {
    static func get(_ path: String) -> String { "GET \(path) HTTP/1.1\r\nHost: cell\r\n\r\n" }

    static func post(_ path: String, _ body: String = "") -> String {
        "POST \(path) HTTP/1.1\r\nHost: cell\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// "12.34%" as 12.34.
    static func percent(_ text: some StringProtocol) -> Double? {
        Double(text.trimmingCharacters(in: .whitespaces).dropLast())
    }

    @Test func dockerStatsNoStreamShowsCPUAndMemory() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try service.docker("run", "-d", "--name", "busy", "-m", "64m", "busybox", "sh", "-c", "while :; do :; done").expectSuccess()
        let stats = try service.docker("stats", "--no-stream", "--format", "{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.MemPerc}}|{{.PIDs}}", "busy")
        try stats.expectSuccess()
        let columns = stats.stdout.trimmingCharacters(in: .newlines).split(separator: "|")
        try #require(columns.count == 5, "\(stats.stdout)")
        #expect(columns[0] == "busy")
        // A busy loop: well above zero (the machine is shared, so no exact figure).
        #expect((Self.percent(columns[1]) ?? 0) > 5, "CPU: \(columns[1])")
        let memory = columns[2].split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(memory.count == 2 && memory[1] == "64MiB", "\(columns[2])")
        #expect(memory.first.map { $0 != "0B" && $0.hasSuffix("iB") } == true, "\(columns[2])")
        #expect((Self.percent(columns[3]) ?? 0) > 0)
        #expect(columns[4] == "1")
        // The default table too, as a user reads it.
        let table = try service.docker("stats", "--no-stream", "busy")
        #expect(table.lines.first?.hasPrefix("CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT") == true, "\(table.stdout)")
        #expect(table.lines.last?.contains("/ 64MiB") == true)
    }

    /// `docker stats` streaming: a new row a second, until it is killed.
    @Test func dockerStatsStreams() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try service.docker("run", "-d", "--name", "ticker", "-m", "32m", "busybox", "sh", "-c", "while :; do :; done").expectSuccess()
        let output = root.file("stats.out")
        let client = try ChildProcess("/bin/sh", ["-c", "exec \"$0\" stats --format '{{.Name}} {{.CPUPerc}} {{.MemUsage}}' ticker > \"$1\" 2>&1",
                                                  EngineService.dockerCLI, output],
                                      environment: ["DOCKER_HOST": service.dockerHost, "DOCKER_CONFIG": root.file("docker-config")],
                                      captureOutput: false)
        defer {
            kill(client.pid, SIGKILL)
            _ = client.waitForExit()
        }
        // Rows with real figures: the CLI redraws the screen for each object it reads.
        func rows() -> [String] {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            return text.components(separatedBy: .newlines).map { $0.replacingOccurrences(of: "\u{1B}[K", with: "") }
                .compactMap { line in line.range(of: "ticker ").map { String(line[$0.lowerBound...]) } }
                .filter { $0.hasSuffix("/ 32MiB") && !$0.contains("--") }
        }
        #expect(waitUntil(timeout: 30) { Set(rows()).count >= 2 || rows().count >= 3 }, "\(rows())")
        #expect(rows().contains { row in (Self.percent(row.split(separator: " ")[1]) ?? 0) > 5 }, "\(rows())")
    }

    @Test func systemDfMatchesCellsOwn() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer {
            EngineService.removeAllContainers(root)
            _ = try? root.cell("volume", "rm", "store")
        }
        try root.cell("run", "-d", "--name", "holder", "-v", "store:/data", "busybox", "sh", "-c", "echo data > /data/f; echo x > /made; sleep 1000").expectSuccess()
        try root.cell("create", "--name", "idle", "busybox").expectSuccess()
        #expect(waitUntil { (try? root.cell("exec", "holder", "cat", "/data/f").stdout) == "data\n" })
        let template = "{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}"
        let docker = try service.docker("system", "df", "--format", template)
        try docker.expectSuccess()
        #expect(docker.stdout == (try root.cell("system", "df", "--format", template)).stdout)
        #expect(docker.lines.first?.hasPrefix("Images|1|1|") == true, "\(docker.stdout)")
        #expect(docker.lines.dropFirst().first?.hasPrefix("Containers|2|1|") == true, "\(docker.stdout)")
        #expect(docker.lines.dropFirst(2).first?.hasPrefix("Local Volumes|1|1|") == true, "\(docker.stdout)")
        let verbose = try service.docker("system", "df", "-v")
        try verbose.expectSuccess()
        #expect(verbose.stdout.contains("Images space usage:"))
        #expect(verbose.lines.contains { $0.hasPrefix("busybox ") && $0.hasSuffix(" 2") }, "\(verbose.stdout)")
        #expect(verbose.lines.contains { $0.hasPrefix("store ") && $0.contains(" 1 ") }, "\(verbose.stdout)")
        #expect(verbose.lines.contains { $0.hasSuffix(" holder") && $0.contains("Up ") })
        // type= picks parts; an unknown one is Docker's 400.
        let containersOnly = try service.request(Self.get("/v1.43/system/df?type=container"))
        #expect(containersOnly.body.contains(#""Images":null"#) && containersOnly.body.contains(#""LayersSize":0"#))
        let unknown = try service.request(Self.get("/v1.43/system/df?type=secrets"))
        #expect(unknown.status == 400 && unknown.message == "unknown object type: secrets")
    }

    @Test func commitThenRunTheImage() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try service.docker("run", "--name", "maker", "busybox", "sh", "-c", "echo made > /made").expectSuccess()
        let commit = try service.docker("commit", "-c", "ENV GREETING=hi", "-c", "CMD [\"cat\", \"/made\"]", "-m", "by test",
                                        "-a", "Tester <t@example.com>", "maker", "made:1")
        try commit.expectSuccess()
        #expect(commit.stdout.hasPrefix("sha256:") && commit.stdout.count == 72, "\(commit.stdout)")
        #expect(try service.docker("run", "--rm", "made:1").stdout == "made\n")
        #expect(try service.docker("run", "--rm", "made:1", "sh", "-c", "echo $GREETING").stdout == "hi\n")
        #expect(try service.docker("image", "inspect", "-f", "{{.Author}}|{{.Id}}", "made:1").stdout
                    == "Tester <t@example.com>|\(commit.stdout)")
        #expect(try root.cell("history", "--format", "{{.Comment}}", "made:1").lines.first == "by test")

        // A running container is paused for the commit, as Docker's, and runs on after it.
        try service.docker("run", "-d", "--name", "writer", "busybox", "sh", "-c", "while :; do date > /next; mv /next /now; done").expectSuccess()
        #expect(waitUntil { (try? root.cell("exec", "writer", "cat", "/now").stdout.isEmpty) == false })
        let since = String(Int(Date().timeIntervalSince1970) - 1)
        try service.docker("commit", "writer", "written:1").expectSuccess()
        #expect(try service.docker("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "writer").stdout == "running false\n")
        let until = String(Int(Date().timeIntervalSince1970) + 1)
        let actions = try service.docker("events", "--since", since, "--until", until, "--filter", "container=writer",
                                         "--filter", "event=pause", "--filter", "event=unpause", "--filter", "event=commit",
                                         "--format", "{{.Action}} {{index .Actor.Attributes \"imageRef\"}}")
        #expect(actions.lines == ["pause ", "commit written:1", "unpause "], "\(actions.stdout) \(actions.stderr)")
        #expect(try service.docker("run", "--rm", "written:1", "cat", "/now").stdout.isEmpty == false)
        // pause=false reads it as it runs.
        try service.docker("commit", "--pause=false", "writer", "written:2").expectSuccess()

        // Hostile changes: Docker's 400 and message, no image made.
        let bad = try service.request(Self.post("/v1.43/commit?container=maker&repo=bad&changes=FROM%20scratch"))
        #expect(bad.status == 400 && bad.message == "FROM is not a valid change command", "\(bad.body)")
        let run = try service.request(Self.post("/v1.43/commit?container=maker&repo=bad&changes=RUN%20rm%20-rf%20/"))
        #expect(run.status == 400 && run.message == "RUN is not a valid change command")
        let garbage = try service.request(Self.post("/v1.43/commit?container=maker&repo=bad&changes=%00"))
        #expect(garbage.status == 400)
        let noContainer = try service.request(Self.post("/v1.43/commit?container=nope"))
        #expect(noContainer.status == 404 && noContainer.message == "No such container: nope")
        #expect(try root.cell("images", "-q", "bad").stdout.isEmpty)
    }

    @Test func renameAndUpdate() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try service.docker("run", "-d", "--name", "first", "-m", "64m", "busybox", "sleep", "1000").expectSuccess()
        try service.docker("create", "--name", "other", "busybox").expectSuccess()
        try service.docker("rename", "first", "renamed").expectSuccess()
        #expect(try root.cell("ps", "--format", "{{.Names}}").stdout == "renamed\n")

        let taken = try service.docker("rename", "renamed", "other")
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("Error response from daemon: Error when allocating new name: Conflict. The container name \"/other\" is already in use by container"), "\(taken.stderr)")
        let invalid = try service.request(Self.post("/v1.43/containers/renamed/rename?name=bad%20name!"))
        #expect(invalid.status == 400 && invalid.message == "Error when allocating new name: Invalid container name (/bad name!), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        let same = try service.request(Self.post("/v1.43/containers/renamed/rename?name=renamed"))
        #expect(same.status == 400 && same.message == "Renaming a container with the same name as its current name")
        let empty = try service.request(Self.post("/v1.43/containers/renamed/rename?name="))
        #expect(empty.status == 400 && empty.message == "Neither old nor new names may be empty")
        let missing = try service.request(Self.post("/v1.43/containers/nope/rename?name=x"))
        #expect(missing.status == 404)

        let update = try service.docker("update", "--memory", "128m", "--memory-swap", "256m", "--cpus", "0.5",
                                        "--restart", "on-failure:3", "renamed")
        try update.expectSuccess()
        #expect(update.stdout == "renamed\n")
        let inspected = try service.docker("inspect", "-f",
                                           "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}",
                                           "renamed")
        #expect(inspected.stdout == "134217728 268435456 500000000 on-failure 3\n")
        // The running container's cgroup took the limit: docker stats shows it.
        let stats = try service.docker("stats", "--no-stream", "--format", "{{.MemUsage}}", "renamed")
        #expect(stats.stdout.hasSuffix("/ 128MiB\n"), "\(stats.stdout)")
        // Something cell cannot change: one clear 400.
        let refused = try service.request(Self.post("/v1.43/containers/renamed/update", #"{"KernelMemory": 1000000}"#))
        #expect(refused.status == 400 && refused.message?.contains("KernelMemory") == true)
    }

    @Test func dockerPyStatsDfAndCommit() throws {
        guard EngineService.hasDockerPy else { return }
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        let result = try service.python("""
            import docker, json, sys
            client = docker.DockerClient(base_url=sys.argv[1])
            c = client.containers.run("busybox", ["sh", "-c", "echo hi > /hi; while :; do :; done"], detach=True,
                                      name="pystats", mem_limit="48m")
            s = c.stats(stream=False)
            out = {"keys": sorted(s.keys()), "name": s["name"], "id": s["id"] == c.id,
                   "limit": s["memory_stats"]["limit"], "usage": s["memory_stats"]["usage"] > 0,
                   "cpu": s["cpu_stats"]["cpu_usage"]["total_usage"] > s["precpu_stats"]["cpu_usage"]["total_usage"],
                   "system": s["cpu_stats"]["system_cpu_usage"] > s["precpu_stats"]["system_cpu_usage"],
                   "online": s["cpu_stats"]["online_cpus"], "pids": s["pids_stats"]["current"]}
            # Debian's docker-py predates one_shot: its own request helpers ask for it.
            api = client.api
            one = api._result(api._get(api._url("/containers/{0}/stats", c.id), params={"stream": False, "one-shot": True}), True)
            out["oneshot_precpu"] = one["precpu_stats"]["cpu_usage"]["total_usage"]
            df = client.df()
            out["df"] = [sorted(df.keys()), len(df["Images"]), df["Images"][0]["Containers"], len(df["Containers"]),
                         df["LayersSize"] > 0]
            image = c.commit(repository="pycommit", tag="v1", message="from python", conf={"Env": ["FROM_PY=1"]})
            out["commit"] = image.tags
            out["run"] = client.containers.run("pycommit:v1", ["sh", "-c", "cat /hi; echo $FROM_PY"], remove=True).decode()
            c.remove(force=True)
            print(json.dumps(out))
            """)
        #expect(result.status == 0, "\(result.stderr)")
        let out = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(out["keys"] as? [String] == ["blkio_stats", "cpu_stats", "id", "memory_stats", "name", "networks", "num_procs",
                                             "pids_stats", "precpu_stats", "preread", "read", "storage_stats"])
        #expect(out["name"] as? String == "/pystats")
        #expect(out["id"] as? Bool == true)
        #expect(out["limit"] as? Int == 48 * 1024 * 1024)
        #expect(out["usage"] as? Bool == true)
        #expect(out["cpu"] as? Bool == true)
        #expect(out["system"] as? Bool == true)
        #expect((out["online"] as? Int ?? 0) >= 1)
        #expect(out["pids"] as? Int == 1)
        #expect(out["oneshot_precpu"] as? Int == 0)
        let df = try #require(out["df"] as? [Any])
        #expect(df[0] as? [String] == ["BuildCache", "Containers", "Images", "LayersSize", "Volumes"])
        #expect(df[1] as? Int == 1 && df[2] as? Int == 1 && df[3] as? Int == 1 && df[4] as? Bool == true)
        #expect(out["commit"] as? [String] == ["pycommit:v1"])
        #expect(out["run"] as? String == "hi\n1\n")
    }

    /// Bad and vanishing clients: Docker's 404 and zeros, and a dropped stream frees what it held.
    @Test func statsOfUnknownStoppedAndDroppedClients() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        let unknown = try service.request(Self.get("/v1.43/containers/nope/stats?stream=false"))
        #expect(unknown.status == 404 && unknown.message == "No such container: nope")
        let both = try service.request(Self.get("/v1.43/containers/nope/stats?stream=true&one-shot=true"))
        #expect(both.status == 404 || both.status == 400)

        try root.cell("create", "--name", "stopped", "busybox").expectSuccess()
        let started = Date()
        let stopped = try service.request(Self.get("/v1.43/containers/stopped/stats?stream=false"), timeout: 5)
        #expect(stopped.status == 200)
        #expect(Date().timeIntervalSince(started) < 3)
        let zeros = try #require(try JSONSerialization.jsonObject(with: Data(stopped.body.utf8)) as? [String: Any])
        #expect(zeros["read"] as? String == "0001-01-01T00:00:00Z")
        #expect((zeros["cpu_stats"] as? [String: Any]).flatMap { ($0["cpu_usage"] as? [String: Any])?["total_usage"] as? Int } == 0)
        #expect((zeros["memory_stats"] as? [String: Any])?.isEmpty == true)
        #expect(zeros["name"] as? String == "/stopped")
        #expect(try service.docker("stats", "--no-stream", "--format", "{{.CPUPerc}} {{.MemUsage}}", "stopped").stdout == "0.00% 0B / 0B\n")

        try root.cell("run", "-d", "--name", "watched", "busybox", "sleep", "1000").expectSuccess()
        let fds = { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(service.process.pid)/fd").count) ?? -1 }
        let threads = { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(service.process.pid)/task").count) ?? -1 }
        _ = try service.request(Self.get("/_ping"))
        let baseline = fds(), threadBaseline = threads()
        for _ in 0..<5 {
            let connection = try RawHTTP.Connection(service.socket)
            connection.send(Self.get("/v1.43/containers/watched/stats"))
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            var poll = pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)
            // Two objects, then gone without a word.
            #expect(waitUntil(timeout: 10) {
                if Glibc.poll(&poll, 1, 100) > 0 {
                    let count = recv(connection.fd, &buffer, buffer.count, 0)
                    if count > 0 { received += buffer[..<count] }
                }
                return String(decoding: received, as: UTF8.self).components(separatedBy: "\"read\":").count > 2
            })
            shutdown(connection.fd, Int32(SHUT_RDWR))
        }
        #expect(waitUntil(timeout: 20) { fds() <= baseline }, "descriptors: \(fds()) after, \(baseline) before")
        #expect(waitUntil(timeout: 20) { threads() <= threadBaseline }, "threads: \(threads()) after, \(threadBaseline) before")
        #expect(try service.request(Self.get("/_ping")).body == "OK")
    }
}
