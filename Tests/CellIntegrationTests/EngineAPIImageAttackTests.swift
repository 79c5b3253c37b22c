import Foundation
import Testing

/// Hostile input to the build and load endpoints, and clients that leave mid-stream: each is
/// one clear error or a complete result, nothing lands outside the store, nothing is left in
/// its tmp/, and the service keeps serving.
struct EngineAPIImageAttackTests {
    /// Python that posts a tar it builds (entries as `(name, kind, data)`: f file, l symlink,
    /// h hardlink) to the socket in argv[1] and prints the status and the body's JSON lines.
    static let prelude = """
        import io, json, socket, sys, tarfile, http.client
        def tar_of(entries):
            buffer = io.BytesIO(); out = tarfile.open(fileobj=buffer, mode="w")
            for name, kind, data in entries:
                info = tarfile.TarInfo(name)
                if kind == "f": info.size = len(data); out.addfile(info, io.BytesIO(data))
                elif kind == "p": info.type = tarfile.FIFOTYPE; out.addfile(info)
                else: info.type = tarfile.SYMTYPE if kind == "l" else tarfile.LNKTYPE; info.linkname = data; out.addfile(info)
            out.close(); return buffer.getvalue()
        class Connection(http.client.HTTPConnection):
            def connect(self):
                self.sock = socket.socket(socket.AF_UNIX); self.sock.connect(sys.argv[1][len("unix://"):])
        def post(path, body):
            connection = Connection("localhost")
            connection.request("POST", path, body=body, headers={"Content-Type": "application/x-tar"})
            answer = connection.getresponse()
            return [answer.status, [json.loads(line) for line in answer.read().decode().splitlines() if line]]

        """

    static func run(_ service: EngineService, _ script: String) throws -> [[Any]] {
        let result = try service.python(prelude + script)
        try result.expectSuccess()
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[Any]] ?? []
    }

    static func message(_ answer: [Any]) -> String {
        ((answer.last as? [[String: Any]])?.first?["message"] as? String) ?? ""
    }

    @Test func hostileBuildContextsStayInsideTheirDirectory() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        let outside = root.file("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let answers = try Self.run(service, """
            dockerfile = ("Dockerfile", "f", b"FROM busybox\\nCOPY . /ctx\\nRUN readlink /ctx/out && cat /ctx/abs.txt\\n")
            print(json.dumps([
                post("/v1.43/build?t=evil", tar_of([dockerfile, ("../../../../\(outside.dropFirst())/escaped", "f", b"x")])),
                post("/v1.43/build?t=evil", tar_of([dockerfile, ("sub", "l", "\(outside)"), ("sub/planted", "f", b"x")])),
                post("/v1.43/build?t=evil", tar_of([dockerfile, ("hard", "h", "/etc/shadow")])),
                post("/v1.43/build?t=evil&dockerfile=../../etc/passwd", tar_of([dockerfile])),
                post("/v1.43/build?t=evil&dockerfile=link", tar_of([dockerfile, ("link", "l", "/etc/passwd")])),
                post("/v1.43/build?t=evil", b"not a tar at all"),
                post("/v1.43/build?t=evil", b""),
                post("/v1.43/build?t=contained", tar_of([dockerfile, ("/abs.txt", "f", b"absolute\\n"), ("out", "l", "/etc/passwd")])),
            ]))
            """)
        #expect(answers.count == 8)
        #expect(answers.dropLast().allSatisfy { $0.first as? Int == 400 })
        #expect(Self.message(answers[0]).contains("escapes the root"))
        #expect(Self.message(answers[1]).contains("through symlink \"sub\""))
        #expect(Self.message(answers[2]).contains("\"/etc/shadow\", which does not exist"))
        #expect(Self.message(answers[3]) == "Cannot locate specified Dockerfile: ../../etc/passwd")
        #expect(Self.message(answers[4]) == "Cannot locate specified Dockerfile: link")
        #expect(Self.message(answers[6]).hasPrefix("the build context is missing"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        #expect(try root.cell("images", "-q", "evil").stdout.isEmpty)
        // Absolute names are made relative; a symlink out is kept as a link, read in the image.
        let contained = answers[7]
        #expect(contained.first as? Int == 200)
        let stream = (contained.last as? [[String: Any]] ?? []).compactMap { $0["stream"] as? String }.joined()
        #expect(stream.contains("/etc/passwd\nabsolute\n"))
        #expect(stream.hasSuffix("Successfully tagged contained:latest\n"))
        EngineService.removeAllContainers(root)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp").isEmpty)
    }

    /// The files the builder itself reads from a context (the Dockerfile, .dockerignore) as a
    /// FIFO, which would hold a request's thread forever, or as links to the host's files or
    /// devices: a FIFO is refused at once, a link is resolved inside the context.
    @Test func contextFilesThatAreFIFOsOrLinksOutAreNeitherWaitedOnNorFollowed() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        let answers = try Self.run(service, """
            socket.setdefaulttimeout(30)
            dockerfile = ("Dockerfile", "f", b"FROM busybox\\nCOPY . /ctx\\n")
            print(json.dumps([
                post("/v1.43/build?t=evil&dockerfile=pipe", tar_of([dockerfile, ("pipe", "p", None)])),
                post("/v1.43/build?t=evil", tar_of([dockerfile, (".dockerignore", "p", None)])),
                post("/v1.43/build?t=linked", tar_of([dockerfile, (".dockerignore", "l", "/etc/shadow")])),
                post("/v1.43/build?t=zeroes", tar_of([dockerfile, (".dockerignore", "l", "/dev/zero")])),
            ]))
            """)
        #expect(answers.count == 4)
        #expect(answers[0].first as? Int == 400 && Self.message(answers[0]) == "the Dockerfile pipe is not a regular file", "\(answers[0])")
        #expect(answers[1].first as? Int == 400 && Self.message(answers[1]) == ".dockerignore is not a regular file", "\(answers[1])")
        for answer in answers.dropFirst(2) {
            let stream = (answer.last as? [[String: Any]] ?? []).compactMap { $0["stream"] as? String }.joined()
            #expect(answer.first as? Int == 200 && stream.contains("Successfully tagged"), "a link out names nothing in the context: \(answer)")
        }
        #expect(try root.cell("images", "-q", "evil").stdout.isEmpty)
        EngineService.removeAllContainers(root)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp").isEmpty)
    }

    /// A layer the registry lost after serving the manifest: the stream has begun (200), so the
    /// failure is its last message, `errorDetail` as the docker CLI reads it; no image is named,
    /// nothing is left in tmp/.
    @Test func aPullFailingMidStreamEndsWithErrorDetailAndNoImage() throws {
        let registry = try LocalRegistry()
        let source = try CellRoot()
        try source.importBusybox()
        try registry.push("busybox", from: source, as: "tools/broken:1")
        let blobs = "\(registry.directory)/data/docker/registry/v2/blobs/sha256"
        // The biggest blob is the layer: its data goes, its manifest stays.
        let layer = try Command.shell("ls -S \(blobs)/*/*/data | head -1")
        try FileManager.default.removeItem(atPath: layer.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let root = try CellRoot()
        let service = try EngineService(root: root)
        let answers = try Self.run(service, """
            connection = Connection("localhost")
            connection.request("POST", "/v1.43/images/create?fromImage=\(registry.address)/tools/broken&tag=1")
            answer = connection.getresponse()
            print(json.dumps([[answer.status, [json.loads(line) for line in answer.read().decode().splitlines() if line]]]))
            """)
        let messages = answers.first?.last as? [[String: Any]] ?? []
        #expect(answers.first?.first as? Int == 200)
        #expect(messages.first?["status"] as? String == "Pulling from tools/broken")
        let last = messages.last ?? [:]
        let detail = (last["errorDetail"] as? [String: Any])?["message"] as? String
        #expect(detail != nil && detail == last["error"] as? String)
        let cli = try service.docker("pull", "\(registry.address)/tools/broken:1")
        #expect(cli.status == 1)
        #expect(cli.stderr.hasSuffix((detail ?? "?") + "\n"))
        #expect(try root.cell("images", "-q").stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp").isEmpty)
    }

    /// A body announced larger than the 8 GiB a spooled body may have is refused before a byte
    /// of it is read, on build, load and import alike.
    @Test func aContextOrArchiveTooLargeIsRefusedAtOnce() throws {
        let root = try CellRoot()
        let service = try EngineService(root: root)
        for path in ["/v1.43/build", "/v1.43/images/load", "/v1.43/images/create?fromSrc=-&repo=big"] {
            let answer = try service.request("POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-tar\r\nContent-Length: \(9 << 30)\r\n\r\n")
            #expect(answer.status == 413)
            #expect(answer.message == "request body too large: this endpoint takes at most \(8 << 30) bytes")
            #expect(answer.closed)
        }
        #expect(try service.request("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
    }

    /// The loader's hostile shapes through `/images/load`: a name that climbs out, a truncated
    /// archive, something that is no archive; each a 400, nothing loaded or left behind.
    @Test func hostileArchivesLoadNothing() throws {
        let source = try CellRoot()
        try source.importBusybox("src:1")
        let archive = source.file("src.tar")
        try source.cell("save", "--compression", "none", "-o", archive, "src:1").expectSuccess()
        let root = try CellRoot()
        let service = try EngineService(root: root)
        let outside = root.file("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let answers = try Self.run(service, """
            whole = open("\(archive)", "rb").read()
            print(json.dumps([
                post("/v1.43/images/load", tar_of([("../../../../\(outside.dropFirst())/escaped", "f", b"x")])),
                post("/v1.43/images/load", whole[:len(whole) // 2]),
                post("/v1.43/images/load", b"not an archive"),
                post("/v1.43/images/load", tar_of([("manifest.json", "f", b"[{\\"Config\\": \\"../../etc/passwd\\", \\"Layers\\": []}]")])),
                post("/v1.43/images/load?quiet=1", whole),
            ]))
            """)
        #expect(answers.count == 5)
        #expect(answers.prefix(4).allSatisfy { $0.first as? Int == 400 })
        #expect(Self.message(answers[0]).contains("escapes the root"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        #expect((answers[4].last as? [[String: String]]) == [["stream": "Loaded image: src:1\n"]])
        #expect(try root.cell("images", "--format", "{{.Repository}}:{{.Tag}}").stdout == "src:1\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp").isEmpty)
    }

    /// A client that goes once the build has begun (Ctrl-C on docker build) stops it, as
    /// Docker's daemon does: the RUN under way is killed long before its command would end, no
    /// image is named, the context and the build container are removed, and the service answers
    /// the next client.
    @Test func aClientLeavingMidBuildStopsItAndLeavesNothing() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        let result = try service.python(Self.prelude + """
            connection = Connection("localhost")
            body = tar_of([("Dockerfile", "f", b"FROM busybox\\nRUN echo started; sleep 300\\nLABEL done=yes\\n")])
            connection.request("POST", "/v1.43/build?t=left:1", body=body, headers={"Content-Type": "application/x-tar"})
            answer = connection.getresponse()
            # Until the RUN has begun: its output is in the stream.
            while b"started" not in answer.fp.readline(): pass
            print(answer.status)
            connection.sock.close()
            """)
        try result.expectSuccess()
        #expect(result.stdout == "200\n")
        // The RUN's process is killed, not waited for: on a loaded machine it may still be
        // going away when the build's folders are gone, so both are waited for.
        let stopped = waitUntil(timeout: 60) {
            let temporary = (try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp")) ?? ["?"]
            let building = (try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/build")) ?? []
            let running = (try? Command.shell("pgrep -f '^sleep 300$' || true").stdout) ?? "?"
            return temporary.isEmpty && building.allSatisfy { $0.hasSuffix(".lock") } && running.isEmpty
        }
        #expect(stopped)
        #expect(try root.cell("images", "-q", "left:1").stdout.isEmpty)
        #expect(try service.request("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
    }

    /// A client that goes after the first line of a pull: the pull runs to its end (the image is
    /// named only once whole), tmp/ is emptied, and the service keeps serving.
    @Test func aClientLeavingMidPullLeavesNoHalfImage() throws {
        let registry = try LocalRegistry()
        let source = try CellRoot()
        try source.importBusybox()
        try registry.push("busybox", from: source, as: "tools/busybox:1")
        let root = try CellRoot()
        let service = try EngineService(root: root)
        let result = try service.python(Self.prelude + """
            connection = Connection("localhost")
            connection.request("POST", "/v1.43/images/create?fromImage=\(registry.address)/tools/busybox&tag=1")
            answer = connection.getresponse()
            print(answer.status, answer.fp.readline().decode().strip())
            connection.sock.close()
            """)
        try result.expectSuccess()
        #expect(result.stdout.hasPrefix("200 "))
        #expect(waitUntil(timeout: 30) { ((try? root.cell("images", "-q"))?.stdout.isEmpty ?? true) == false })
        #expect(waitUntil(timeout: 30) { ((try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp")) ?? ["?"]).isEmpty })
        #expect(try root.cell("run", "--rm", "\(registry.address)/tools/busybox:1", "true").status == 0)
        #expect(try service.request("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
    }

    /// A body spooled to a file (here an image to load) may take longer to arrive than the
    /// request's time limit, as long as it keeps coming; one that stalls still gets the 400.
    @Test func aSlowUploadOutlivesTheRequestDeadlineAndAStallDoesNot() throws {
        let source = try CellRoot()
        try source.importBusybox("slow:1")
        let archive = source.file("slow.tar")
        try source.cell("save", "--compression", "none", "-o", archive, "slow:1").expectSuccess()
        let root = try CellRoot()
        let service = try EngineService(root: root, environment: ["CELL_SERVICE_REQUEST_TIMEOUT": "1"])
        let result = try service.python(Self.prelude + """
            import time
            whole = open("\(archive)", "rb").read()
            def upload(pieces, pause, stall=False):
                sock = socket.socket(socket.AF_UNIX); sock.connect(sys.argv[1][len("unix://"):])
                sock.sendall(b"POST /v1.43/images/load HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/x-tar\\r\\nContent-Length: %d\\r\\nConnection: close\\r\\n\\r\\n" % len(whole))
                size = len(whole) // pieces + 1
                for index in range(pieces):
                    if stall and index == pieces // 2: break
                    sock.sendall(whole[index * size:(index + 1) * size])
                    # The client's pace: slower in all than the service's one-second limit.
                    time.sleep(pause)
                answer = b""
                while True:
                    chunk = sock.recv(65536)
                    if not chunk: break
                    answer += chunk
                sock.close()
                return answer.decode(errors="replace")
            slow = upload(8, 0.3)
            stalled = upload(8, 0.0, stall=True)
            print(json.dumps([slow.split("\\r\\n")[0], "Loaded image: slow:1" in slow, stalled.split("\\r\\n")[0], "not received in time" in stalled]))
            """)
        try result.expectSuccess()
        let out = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Any] ?? []
        #expect(out.count == 4)
        #expect(out.first as? String == "HTTP/1.1 200 OK")
        #expect(out[safe: 1] as? Bool == true)
        #expect(out[safe: 2] as? String == "HTTP/1.1 400 Bad Request")
        #expect(out[safe: 3] as? Bool == true)
        #expect(try root.cell("images", "--format", "{{.Repository}}:{{.Tag}}").stdout == "slow:1\n")
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
