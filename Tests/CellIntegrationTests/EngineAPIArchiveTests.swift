import Foundation
import Testing

/// `/containers/{id}/archive` through the clients no one here wrote (the docker CLI's `cp`,
/// docker-py's get_archive and put_archive), and by hand on the wire with the paths and tars an
/// attacker would send: every one stays inside the container's root.
@Suite struct EngineAPIArchiveTests {
    /// A running busybox container `box` with /data/sub/one, a link out (`/escape -> /`) and its
    /// own /etc/shadow, ready once /ready exists.
    static func startBox(_ root: CellRoot, extra: [String] = []) throws {
        try root.cell(["run", "-d", "--name", "box"] + extra + ["busybox", "sh", "-c",
            "mkdir -p /data/sub; echo one > /data/sub/one; ln -s / /escape; echo container-shadow > /etc/shadow; touch /ready; exec sleep 1000"])
            .expectSuccess()
        #expect(try waitUntil { try root.cell("exec", "box", "test", "-e", "/ready").status == 0 })
    }

    static func get(_ service: EngineService, _ path: String, method: String = "GET") throws -> RawHTTP.Answer {
        let request = "\(method) /v1.43/containers/box/archive?path=\(path) HTTP/1.1\r\nHost: cell\r\n\r\n"
        guard method == "HEAD" else { return try service.request(request) }
        let connection = try RawHTTP.Connection(service.socket)
        connection.send(request)
        return try connection.headAnswer()
    }

    static func put(_ service: EngineService, _ path: String, tar: Data) throws -> RawHTTP.Answer {
        let head = "PUT /v1.43/containers/box/archive?path=\(path)&noOverwriteDirNonDir=true HTTP/1.1\r\nHost: cell\r\n"
            + "Content-Type: application/x-tar\r\nContent-Length: \(tar.count)\r\n\r\n"
        return try RawHTTP.exchange(service.socket, Array(head.utf8) + Array(tar))
    }

    /// The stat header decoded.
    static func stat(_ answer: RawHTTP.Answer) -> [String: Any]? {
        guard let header = answer.headers["x-docker-container-path-stat"], let data = Data(base64Encoded: header) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    @Test(.enabled(if: EngineService.hasDockerCLI, "needs the docker CLI at /usr/local/bin/docker"))
    func dockerCopiesFilesDirectoriesAndTarStreamsBothWays() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try Self.startBox(root)

        // Out: a file, a directory, a tar on stdout.
        try service.docker("cp", "box:/data/sub/one", root.file("one")).expectSuccess()
        #expect(try String(contentsOfFile: root.file("one"), encoding: .utf8) == "one\n")
        try service.docker("cp", "box:/data", root.file("data")).expectSuccess()
        #expect(try String(contentsOfFile: root.file("data/sub/one"), encoding: .utf8) == "one\n")
        let tarball = root.file("out.tar")
        let out = try Command.shell("DOCKER_HOST=\(service.dockerHost) DOCKER_CONFIG=\(root.file("docker-config")) \(EngineService.dockerCLI) cp box:/data - > \(tarball)")
        #expect(out.status == 0, "\(out.stderr)")
        #expect(Set(try Command.shell("tar -tf \(tarball)").lines) == ["data/", "data/sub/", "data/sub/one"])

        // In: a file, a directory, a tar on stdin; the CLI's own cp reads them back.
        try Command.shell("cd \(root.scratch) && mkdir -p up/dir && echo hello > up/dir/hello && echo file > up/file && tar -C up -cf in.tar dir").expectSuccess()
        try service.docker("cp", root.file("up/file"), "box:/tmp/").expectSuccess()
        try service.docker("cp", root.file("up/dir"), "box:/tmp/copied").expectSuccess()
        let fromStdin = try Command.run(EngineService.dockerCLI, ["cp", "-", "box:/root"], stdinFile: root.file("in.tar"),
                                        environment: ["DOCKER_HOST": service.dockerHost, "DOCKER_CONFIG": root.file("docker-config")])
        #expect(fromStdin.status == 0, "\(fromStdin.stderr)")
        #expect(try root.cell("exec", "box", "cat", "/tmp/file", "/tmp/copied/hello", "/root/dir/hello").stdout == "file\nhello\nhello\n")

        // A body past the 4 MiB a JSON body may have: spooled to a file, copied whole.
        try Command.shell("head -c 12000000 /dev/urandom > \(root.file("big"))").expectSuccess()
        try service.docker("cp", root.file("big"), "box:/tmp/big").expectSuccess()
        let sum = { (text: String) in text.split(separator: " ").first.map(String.init) }
        #expect(sum(try root.cell("exec", "box", "md5sum", "/tmp/big").stdout) == sum(try Command.shell("md5sum \(root.file("big"))").stdout))

        // A missing path, as Docker words it.
        let missing = try service.docker("cp", "box:/no/such", root.file("x"))
        #expect(missing.status != 0 && missing.stderr.contains("Could not find the file /no/such in container box"))
    }

    @Test(.enabled(if: EngineService.hasDockerPy, "needs Debian's python3-docker"))
    func dockerPyGetsAndPutsArchives() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try Self.startBox(root)
        let result = try service.python("""
            import docker, io, json, sys, tarfile
            client = docker.DockerClient(base_url=sys.argv[1])
            c = client.containers.get("box")
            bits, stat = c.get_archive("/data/sub/one")
            with tarfile.open(fileobj=io.BytesIO(b"".join(bits))) as t:
                names = t.getnames()
                content = t.extractfile("one").read().decode()
            payload = io.BytesIO()
            with tarfile.open(fileobj=payload, mode="w") as t:
                info = tarfile.TarInfo("put.txt"); data = b"put by docker-py"; info.size = len(data); info.mode = 0o640
                t.addfile(info, io.BytesIO(data))
            put = c.put_archive("/tmp", payload.getvalue())
            try:
                c.get_archive("/nope")
            except docker.errors.NotFound as e:
                missing = e.explanation
            print(json.dumps({"stat": stat, "names": names, "content": content, "put": put, "missing": missing}))
            """)
        #expect(result.status == 0, "\(result.stderr)")
        let out = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let stat = out["stat"] as? [String: Any]
        #expect(stat?["name"] as? String == "one" && stat?["size"] as? Int == 4 && stat?["mode"] as? Int == 0o644)
        #expect(stat?["linkTarget"] as? String == "" && (stat?["mtime"] as? String)?.hasSuffix("Z") == true)
        #expect(out["names"] as? [String] == ["one"] && out["content"] as? String == "one\n")
        #expect(out["put"] as? Bool == true)
        // docker-py names the container by its id.
        #expect((out["missing"] as? String)?.hasPrefix("Could not find the file /nope in container ") == true)
        #expect(try root.cell("exec", "box", "cat", "/tmp/put.txt").stdout == "put by docker-py")
        #expect(try root.cell("exec", "box", "stat", "-c", "%a", "/tmp/put.txt").stdout == "640\n")
    }

    @Test func pathsAreResolvedInsideTheContainersRoot() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try Self.startBox(root)

        // `..` climbs no higher than the container's "/".
        let climbing = try Self.get(service, "../../etc/shadow")
        #expect(climbing.status == 200 && climbing.body.contains("container-shadow"))
        // A link to "/" in the container is the container's "/", not the host's.
        let throughLink = try Self.get(service, "/escape/etc/shadow")
        #expect(throughLink.status == 200 && throughLink.body.contains("container-shadow"))
        let link = try Self.get(service, "/escape", method: "HEAD")
        #expect(link.status == 200 && Self.stat(link)?["linkTarget"] as? String == "/")
        #expect((Self.stat(link)?["mode"] as? Int).map { $0 & (1 << 27) != 0 } == true)
        let directory = try Self.get(service, "/data", method: "HEAD")
        #expect((Self.stat(directory)?["mode"] as? Int).map { $0 & (1 << 31) != 0 } == true)

        // Docker's answers to what is not there or not a path.
        let missing = try Self.get(service, "/no/such")
        #expect(missing.status == 404 && missing.message == "Could not find the file /no/such in container box")
        #expect(try Self.get(service, "/no/such", method: "HEAD").status == 404)
        #expect(try Self.get(service, "").status == 400)
        let nul = try Self.get(service, "/etc%00/shadow")
        #expect(nul.status == 400)
        let noContainer = try service.request("GET /containers/nope/archive?path=/ HTTP/1.1\r\nHost: cell\r\n\r\n")
        #expect(noContainer.status == 404 && noContainer.message == "No such container: nope")
    }

    @Test func uploadedTarsStayInsideTheContainersRoot() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try Self.startBox(root)

        // One tar per attack (a refused entry ends the extraction): names climbing out, a hard
        // link out, a link out (absolute or climbing) and a write through it, an absolute name.
        let marker = "cell-api-escape-\(UUID().uuidString.prefix(8))"
        let script = """
            import io, json, sys, tarfile
            for path, entries in json.loads(sys.argv[1]).items():
                with tarfile.open(path, "w") as t:
                    for name, kind, link in entries:
                        info = tarfile.TarInfo(name); info.type = kind.encode(); info.linkname = link
                        info.size = 1 if kind == "0" else 0
                        t.addfile(info, io.BytesIO(b"x") if kind == "0" else None)
            """
        let attacks: [(file: String, entries: [[String]], refusal: String?)] = [
            ("climb.tar", [["../../../../tmp/\(marker)", "0", ""]], "layer entry \"../../../../tmp/\(marker)\" escapes the root"),
            ("hard.tar", [["hard", "1", "../../../../etc/passwd"]], "layer entry \"hard\" escapes the root"),
            ("link.tar", [["out", "2", "/tmp"], ["out/\(marker)-through-link", "0", ""]],
             "layer entry \"out/\(marker)-through-link\" would be written through symlink \"out\""),
            ("up.tar", [["up", "2", "../../../../../tmp"], ["up/\(marker)-through-up", "0", ""]],
             "layer entry \"up/\(marker)-through-up\" would be written through symlink \"up\""),
            ("absolute.tar", [["/tmp/\(marker)-absolute", "0", ""]], nil),
        ]
        let plan = Dictionary(uniqueKeysWithValues: attacks.map { (root.file($0.file), $0.entries) })
        let planJSON = String(decoding: try JSONSerialization.data(withJSONObject: plan), as: UTF8.self)
        try Command.run("/usr/bin/python3", ["-c", script, planJSON]).expectSuccess()
        for attack in attacks {
            let tar = try Data(contentsOf: URL(fileURLWithPath: root.file(attack.file)))
            for target in ["/tmp", "/escape/tmp"] {
                let answer = try Self.put(service, target, tar: tar)
                if let refusal = attack.refusal {
                    #expect(answer.status == 400 && answer.message == refusal, "\(attack.file) into \(target): \(answer.status) \(answer.body)")
                } else {
                    #expect(answer.status == 200, "\(attack.file) into \(target): \(answer.status) \(answer.body)")
                }
            }
        }
        // The absolute name landed inside the destination, in the container.
        #expect(try root.cell("exec", "box", "cat", "/tmp/tmp/\(marker)-absolute").stdout == "x")
        for suffix in ["", "-absolute", "-through-link", "-through-up"] {
            #expect(!FileManager.default.fileExists(atPath: "/tmp/\(marker)\(suffix)"), "the tar wrote \(marker)\(suffix) on the host")
        }

        // Docker's answers for a destination that cannot take it.
        let plain = root.file("plain.tar")
        try Command.shell("cd \(root.scratch) && echo x > x && tar -cf \(plain) x").expectSuccess()
        let small = try Data(contentsOf: URL(fileURLWithPath: plain))
        let missing = try Self.put(service, "/no/such", tar: small)
        #expect(missing.status == 404 && missing.message == "Could not find the file /no/such in container box")
        let file = try Self.put(service, "/data/sub/one", tar: small)
        #expect(file.status == 400 && file.message == "extraction point is not a directory")
        let dirTar = root.file("sub.tar")
        try Command.shell("cd \(root.scratch) && echo x > sub && tar -cf \(dirTar) sub").expectSuccess()
        let overDirectory = try Self.put(service, "/data", tar: try Data(contentsOf: URL(fileURLWithPath: dirTar)))
        #expect(overDirectory.status == 409 && overDirectory.message == "cannot overwrite directory \"sub\" with non-directory")
        #expect(try root.cell("exec", "box", "cat", "/data/sub/one").stdout == "one\n")
        let garbage = try Self.put(service, "/tmp", tar: Data(repeating: 0x41, count: 1000))
        #expect(garbage.status == 400 || garbage.status == 500)
        #expect(try Self.put(service, "/tmp%00", tar: small).status == 400)

        // A Content-Length no body will follow: refused at once, the connection closed.
        let huge = try service.request("PUT /containers/box/archive?path=/tmp HTTP/1.1\r\nHost: cell\r\nContent-Length: 99999999999\r\n\r\nshort")
        #expect(huge.status == 413 && huge.closed)
        // The service still answers.
        #expect(try Self.get(service, "/data/sub/one", method: "HEAD").status == 200)
    }

    @Test func aClientThatLeavesMidStreamLeavesNothingBehind() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try Self.startBox(root)
        try root.cell("exec", "box", "sh", "-c", "head -c 30000000 /dev/urandom > /big").expectSuccess()

        // The client reads the head and goes: the copy's staging directory goes too.
        for path in ["/containers/box/archive?path=/big", "/containers/box/export"] {
            let connection = try RawHTTP.Connection(service.socket)
            connection.send("GET \(path) HTTP/1.1\r\nHost: cell\r\n\r\n")
            #expect(connection.receiveHead())
        }
        let staging = { ((try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp")) ?? []).filter { $0.hasPrefix("cp") } }
        #expect(waitUntil(timeout: 20) { staging().isEmpty }, "left in tmp/: \(staging())")
        #expect(try Self.get(service, "/data/sub/one", method: "HEAD").status == 200)
    }

    @Test func aReadOnlyContainerRefusesUploads() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try root.cell("create", "--name", "box", "--read-only", "busybox", "true").expectSuccess()
        let plain = root.file("plain.tar")
        try Command.shell("cd \(root.scratch) && echo x > x && tar -cf \(plain) x").expectSuccess()
        let answer = try Self.put(service, "/tmp", tar: try Data(contentsOf: URL(fileURLWithPath: plain)))
        #expect(answer.status == 403 && answer.message == "container rootfs is marked read-only")
        // Reading a stopped container works as `cell cp` does.
        let read = try Self.get(service, "/etc", method: "HEAD")
        #expect(read.status == 200 && Self.stat(read)?["name"] as? String == "etc")
    }
}
