import Foundation
import Testing

/// `POST /build` driven by the docker CLI 28 (which, with no buildx plugin, falls back to the
/// classic builder by itself) and docker-py; hostile contexts and archives sent by hand.
@Suite(.enabled(if: EngineService.hasDockerCLI, "needs the docker CLI at /usr/local/bin/docker"))
struct EngineAPIImageBuildTests {
    /// A context with COPY, RUN and a build argument: the classic builder's lines, the image's
    /// tags, and the RUN's output in the stream; a second build takes COPY from the cache.
    @Test func dockerBuildPrintsTheClassicBuildersSteps() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        let context = root.file("context")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "hello from the context\n".write(toFile: "\(context)/a.txt", atomically: true, encoding: .utf8)
        try "FROM busybox\nARG WHO=nobody\nCOPY a.txt /a.txt\nRUN echo built for $WHO && cat /a.txt\nLABEL made=by-docker\n"
            .write(toFile: "\(context)/Dockerfile", atomically: true, encoding: .utf8)

        let build = try Self.docker(service, root, in: context, ["build", "--build-arg", "WHO=me", "-t", "demo", "-t", "demo:2", "."])
        try build.expectSuccess()
        // No buildx here: the CLI says the legacy builder is deprecated and uses it.
        #expect(build.stderr.contains("DEPRECATED: The legacy builder is deprecated"))
        // The CLI draws its upload's progress with carriage returns before the first step.
        let lines = build.stdout.split(whereSeparator: \.isNewline).map(String.init)
            .filter { !$0.hasPrefix("Sending build context") && !$0.isEmpty }
        #expect(Array(lines.prefix(7)) == ["Step 1/5 : FROM busybox", "Step 2/5 : ARG WHO=nobody", "Step 3/5 : COPY a.txt /a.txt",
                                           "Step 4/5 : RUN echo built for $WHO && cat /a.txt", "built for me", "hello from the context",
                                           "Step 5/5 : LABEL made=by-docker"])
        let id = try root.cell("images", "-q", "demo:2").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(lines.suffix(3) == ["Successfully built \(id)", "Successfully tagged demo:latest", "Successfully tagged demo:2"])
        #expect(try root.cell("run", "--rm", "demo", "cat", "/a.txt").stdout == "hello from the context\n")
        #expect(try root.cell("inspect", "-f", "{{.Config.Labels.made}}", "demo").stdout == "by-docker\n")

        let again = try Self.docker(service, root, in: context, ["build", "-q", "--build-arg", "WHO=me", "."])
        try again.expectSuccess()
        #expect(again.stdout.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("sha256:\(id)"))

        // `docker build - < context.tar.gz`: a compressed context sent as it is, the Dockerfile in it.
        let compressed = root.file("context.tar.gz")
        try Command.run("/bin/tar", ["-czf", compressed, "-C", context, "."]).expectSuccess()
        let fromStdin = try Command.run(EngineService.dockerCLI, ["build", "-t", "zipped", "-"], stdinFile: compressed,
                                        environment: ["DOCKER_HOST": service.dockerHost, "DOCKER_CONFIG": root.file("docker-config")])
        try fromStdin.expectSuccess()
        #expect(fromStdin.stdout.contains("Successfully tagged zipped:latest\n"))
        #expect(try root.cell("run", "--rm", "zipped", "cat", "/a.txt").stdout == "hello from the context\n")

        // --no-cache runs every step again; --target stops at a stage of a multi-stage file.
        let uncached = try Self.docker(service, root, in: context, ["build", "--no-cache", "--build-arg", "WHO=me", "."])
        try uncached.expectSuccess()
        #expect(!uncached.stdout.contains("Using cache") && uncached.stdout.contains("built for me\n"))
        try "FROM busybox AS first\nRUN echo first > /stage\nFROM busybox\nCOPY --from=first /stage /stage\nRUN echo second >> /stage\n"
            .write(toFile: "\(context)/Stages", atomically: true, encoding: .utf8)
        try Self.docker(service, root, in: context, ["build", "-f", "Stages", "--target", "first", "-t", "staged", "."]).expectSuccess()
        #expect(try root.cell("run", "--rm", "staged", "cat", "/stage").stdout == "first\n")

        // A network the RUN steps cannot have: one line, before anything is built.
        let network = try Self.docker(service, root, in: context, ["build", "--network", "none", "."])
        #expect(network.status == 1)
        #expect(network.stderr.hasSuffix("Error response from daemon: networkmode none: cell's RUN steps use the host's network\n"))

        // A RUN that fails: the classic builder's words, the docker CLI exits with its code, no image.
        try "FROM busybox\nRUN echo going; exit 3\n".write(toFile: "\(context)/Failing", atomically: true, encoding: .utf8)
        let failed = try Self.docker(service, root, in: context, ["build", "-f", "Failing", "-t", "broken", "."])
        #expect(failed.status == 3)
        #expect(failed.stdout.contains("going\n"))
        #expect(failed.stderr.hasSuffix("The command '/bin/sh -c echo going; exit 3' returned a non-zero code: 3\n"))
        #expect(try root.cell("images", "-q", "broken").stdout.isEmpty)
        EngineService.removeAllContainers(root)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp").isEmpty)
    }

    /// The docker CLI run in `directory` (a build's `.`), against the service.
    static func docker(_ service: EngineService, _ root: CellRoot, in directory: String, _ arguments: [String]) throws -> CommandResult {
        let quoted = arguments.map { "'" + $0 + "'" }.joined(separator: " ")
        return try Command.shell("cd '\(directory)' && exec \(EngineService.dockerCLI) \(quoted)",
                                 environment: ["DOCKER_HOST": service.dockerHost, "DOCKER_CONFIG": root.file("docker-config")])
    }

    /// docker-py's `images.build`: the image and the stream it logs; a failed build is its
    /// BuildError with the log.
    @Test(.enabled(if: EngineService.hasDockerPy, "needs Debian's python3-docker"))
    func dockerPyBuildReturnsTheImageAndItsLog() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        let result = try service.python("""
            import docker, io, json, sys
            client = docker.DockerClient(base_url=sys.argv[1])
            dockerfile = io.BytesIO(b"FROM busybox\\nARG GREETING\\nRUN echo $GREETING\\nCMD [\\"echo\\", \\"ran\\"]\\n")
            image, logs = client.images.build(fileobj=dockerfile, tag="pybuilt:1", buildargs={"GREETING": "hi there"},
                                              labels={"via": "docker-py"}, rm=True, forcerm=True)
            logs = list(logs)
            out = {"id": image.id, "tags": image.tags, "labels": image.labels,
                   "stream": "".join(l.get("stream", "") for l in logs), "aux": [l["aux"] for l in logs if "aux" in l]}
            out["ran"] = client.containers.run("pybuilt:1", remove=True).decode()
            try:
                client.images.build(fileobj=io.BytesIO(b"FROM busybox\\nRUN exit 7\\n"))
            except docker.errors.BuildError as e:
                out["error"] = e.msg
            # The low-level stream: the failure is its last message, after the RUN's output.
            chunks = list(client.api.build(fileobj=io.BytesIO(b"FROM busybox\\nRUN echo before failing; exit 7\\n"), decode=True))
            out["chunks"] = chunks
            print(json.dumps(out))
            """)
        try result.expectSuccess()
        let out = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let id = out["id"] as? String ?? ""
        #expect(id.hasPrefix("sha256:"))
        #expect(out["tags"] as? [String] == ["pybuilt:1"])
        #expect((out["labels"] as? [String: String])?["via"] == "docker-py")
        let stream = out["stream"] as? String ?? ""
        #expect(stream.contains("Step 3/4 : RUN echo $GREETING\nhi there\n"))
        #expect(stream.hasSuffix("Successfully built \(id.dropFirst(7).prefix(12))\nSuccessfully tagged pybuilt:1\n"))
        #expect((out["aux"] as? [[String: String]]) == [["ID": id]])
        #expect(out["ran"] as? String == "ran\n")
        #expect(out["error"] as? String == "The command '/bin/sh -c exit 7' returned a non-zero code: 7")
        let chunks = out["chunks"] as? [[String: Any]] ?? []
        #expect(chunks.contains { $0["stream"] as? String == "before failing\n" })
        let last = chunks.last ?? [:]
        let message = (last["errorDetail"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message == "The command '/bin/sh -c echo before failing; exit 7' returned a non-zero code: 7")
        #expect((last["errorDetail"] as? [String: Any])?["code"] as? Int == 7)
        #expect(last["error"] as? String == message)
        EngineService.removeAllContainers(root)
    }
}
