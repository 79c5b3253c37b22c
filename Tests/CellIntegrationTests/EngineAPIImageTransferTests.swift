import Foundation
import Testing

/// The image transfer endpoints (pull, push, login, save, load, prune) driven by the docker CLI 28
/// and docker-py against `cell system service`, with Debian's docker-registry as the registry:
/// what the clients print and return is the assertion.
@Suite(.enabled(if: EngineService.hasDockerCLI, "needs the docker CLI at /usr/local/bin/docker"))
struct EngineAPIImageTransferTests {
    @Test func dockerPushPullSaveLoadAndPrune() throws {
        let registry = try LocalRegistry()
        let root = try CellRoot()
        let id = try root.importBusybox()
        let service = try EngineService(root: root)
        let name = "\(registry.address)/tools/busybox:1"

        try service.docker("tag", "busybox", name).expectSuccess()
        let push = try service.docker("push", name)
        try push.expectSuccess()
        #expect(push.stdout.hasPrefix("The push refers to repository [\(registry.address)/tools/busybox]\n"))
        #expect(push.stdout.contains(": Pushed\n"))
        let digest = try registry.digest(of: "tools/busybox:1")
        #expect(push.stdout.hasSuffix("1: digest: \(digest) size: \(push.stdout.split(separator: " ").last!)"))

        try service.docker("rmi", name).expectSuccess()
        let pull = try service.docker("pull", name)
        try pull.expectSuccess()
        #expect(pull.stdout.hasPrefix("1: Pulling from tools/busybox\n"))
        #expect(pull.stdout.hasSuffix("Digest: \(digest)\nStatus: Downloaded newer image for \(name)\n\(name)\n"))
        let again = try service.docker("pull", name)
        #expect(again.stdout.contains("Status: Image is up to date for \(name)\n"))
        #expect(try root.cell("images", "-q", "--no-trunc", name).stdout == id + "\n")

        // docker run of an image the store lacks: the create's 404, then the pull, then the run.
        try service.docker("rmi", name).expectSuccess()
        let run = try service.docker("run", "--rm", name, "echo", "ran after a pull")
        try run.expectSuccess()
        #expect(run.stdout == "ran after a pull\n")
        #expect(run.stderr.hasPrefix("Unable to find image '\(name)' locally\n1: Pulling from tools/busybox\n"))
        #expect(run.stderr.contains("Status: Downloaded newer image for \(name)\n"))

        // pull -a: every tag of the repository.
        try service.docker("rmi", name).expectSuccess()
        let all = try service.docker("pull", "-a", "\(registry.address)/tools/busybox")
        try all.expectSuccess()
        #expect(all.stdout.contains("1: Pulling from tools/busybox\n"))
        #expect(try root.cell("images", "-q", "--no-trunc", name).stdout == id + "\n")
        let notHere = try service.docker("push", "\(registry.address)/tools/absent:1")
        #expect(notHere.status == 1)
        #expect(notHere.stderr.hasSuffix("An image does not exist locally with the tag: \(registry.address)/tools/absent\n"))

        // A repository the registry does not have: Docker's words, exit 1, nothing in the store.
        let missing = try service.docker("pull", "\(registry.address)/nothing:here")
        #expect(missing.status == 1)
        #expect(missing.stderr == "Error response from daemon: manifest for \(registry.address)/nothing:here not found: manifest unknown: manifest unknown\n")

        // docker save | docker load, through a file as a user's pipe would carry it.
        let archive = root.file("saved.tar")
        try service.docker("save", "-o", archive, "busybox").expectSuccess()
        // Two names of one image: one image in the archive, both names loaded back.
        try service.docker("save", "-o", archive, "busybox", name).expectSuccess()
        try service.docker("rmi", name).expectSuccess()
        let both = try service.docker("load", "-i", archive)
        #expect(Set(both.lines) == ["Loaded image: busybox:latest", "Loaded image: \(name)"])
        try service.docker("save", "-o", archive, "busybox").expectSuccess()
        let members = try Command.run("/bin/tar", ["-tf", archive])
        #expect(members.lines.contains("manifest.json"))
        try service.docker("rmi", "busybox", name).expectSuccess()
        #expect(try root.cell("images", "-q").stdout.isEmpty)
        let load = try Command.run(EngineService.dockerCLI, ["load"], stdinFile: archive,
                                   environment: ["DOCKER_HOST": service.dockerHost, "DOCKER_CONFIG": root.file("docker-config")])
        try load.expectSuccess()
        #expect(load.stdout == "Loaded image: busybox:latest\n")
        #expect(try root.cell("images", "-q", "--no-trunc", "busybox").stdout == id + "\n")

        // A rebuild under the same name leaves the first image dangling; prune -f removes it and says so.
        let first = try root.cell(["build", "-q", "-t", "rebuilt", "-"], stdin: Data("FROM busybox\nLABEL round=1\n".utf8))
        try first.expectSuccess()
        let dangling = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try root.cell(["build", "-q", "-t", "rebuilt", "-"], stdin: Data("FROM busybox\nLABEL round=2\n".utf8)).expectSuccess()
        // Filters as the docker CLI sends them: a label the dangling image lacks keeps it.
        #expect(try service.docker("image", "prune", "-f", "--filter", "label=round=2").stdout == "Total reclaimed space: 0B\n")
        let badFilter = try service.docker("image", "prune", "-f", "--filter", "colour=red")
        #expect(badFilter.status == 1 && badFilter.stderr == "Error response from daemon: invalid filter 'colour'\n")
        let prune = try service.docker("image", "prune", "-f", "--filter", "label=round=1")
        try prune.expectSuccess()
        #expect(prune.stdout.hasPrefix("Deleted Images:\ndeleted: \(dangling)\n\nTotal reclaimed space: "))
        #expect(try root.cell("images", "-q", "--no-trunc").lines.contains(dangling) == false)
        #expect(try service.docker("image", "prune", "-f").stdout == "Total reclaimed space: 0B\n")
        // -a: every image no container uses (dangling=false), tagged or not.
        let everything = try service.docker("image", "prune", "-af")
        try everything.expectSuccess()
        #expect(everything.stdout.contains("untagged: rebuilt:latest\n"))
        #expect(try root.cell("images", "-q").stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp").isEmpty)
    }

    /// A registry behind `options` (alice's password) that holds busybox as private/busybox:1,
    /// and the id of that busybox.
    static func registryHoldingPrivateBusybox(_ options: LocalRegistry.Options) throws -> (LocalRegistry, String) {
        let registry = try LocalRegistry(options)
        let source = try CellRoot()
        let id = try source.importBusybox()
        try registry.push("busybox", from: source, as: "private/busybox:1", credentials: "alice:\(RegistryAuthTests.password)")
        return (registry, id)
    }

    /// The docker CLI's `login` to `registry` as alice, the password on stdin, its config in `root`.
    static func dockerLogin(_ service: EngineService, to registry: LocalRegistry, root: CellRoot) throws -> CommandResult {
        try Command.run(EngineService.dockerCLI, ["login", "-u", "alice", "--password-stdin", registry.address],
                        stdin: Data(RegistryAuthTests.password.utf8),
                        environment: ["DOCKER_HOST": service.dockerHost, "DOCKER_CONFIG": root.file("docker-config")])
    }

    /// `docker login` is checked by the service against the registry (`/auth`); the CLI keeps the
    /// credentials and sends them with each pull and push (`X-Registry-Auth`); the service keeps none.
    @Test func dockerLoginThenPullAndPushWithCredentials() throws {
        let (registry, _) = try Self.registryHoldingPrivateBusybox(.init(htpasswd: ["alice": RegistryAuthTests.password]))
        let root = try CellRoot()
        let service = try EngineService(root: root)
        let name = "\(registry.address)/private/busybox:1"

        let anonymous = try service.docker("pull", name)
        #expect(anonymous.status == 1)
        #expect(anonymous.stderr.hasPrefix("Error response from daemon: pull access denied for \(registry.address)/private/busybox, repository does not exist or may require 'docker login'"))
        // Before the login, a build FROM it cannot pull it either (the service lends no login of its own).
        let context0 = root.file("context0")
        try FileManager.default.createDirectory(atPath: context0, withIntermediateDirectories: true)
        try "FROM \(name)\n".write(toFile: "\(context0)/Dockerfile", atomically: true, encoding: .utf8)
        let refused = try service.docker("build", context0)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("failed to resolve source metadata for \(name)"))

        let wrong = try service.docker("login", "-u", "alice", "-p", "wrong", registry.address)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.hasSuffix("Error response from daemon: login attempt to http://\(registry.address)/v2/ failed with status: 401 Unauthorized\n"))

        let login = try Self.dockerLogin(service, to: registry, root: root)
        try login.expectSuccess()
        #expect(login.stdout == "Login Succeeded\n")

        // A build FROM the private image the store lacks: the CLI sends its logins (X-Registry-Config)
        // and the build pulls with them.
        let context = root.file("context")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "FROM \(name)\nRUN echo from the private base\n".write(toFile: "\(context)/Dockerfile", atomically: true, encoding: .utf8)
        let build = try service.docker("build", "-t", "on-private", context)
        try build.expectSuccess()
        #expect(build.stdout.contains("from the private base\n"))
        try service.docker("rmi", "on-private").expectSuccess()
        EngineService.removeAllContainers(root)

        let pull = try service.docker("pull", name)
        try pull.expectSuccess()
        #expect(pull.stdout.contains("Image is up to date for \(name)\n"))
        try service.docker("tag", name, "\(registry.address)/private/copy:2").expectSuccess()
        let push = try service.docker("push", "\(registry.address)/private/copy:2")
        try push.expectSuccess()
        #expect(push.stdout.contains("2: digest: sha256:"))
    }

    /// The same behind a token server (Docker Hub's scheme): the service fetches tokens with the
    /// credentials the CLI sends, for the pull's and the push's scopes.
    @Test func dockerLoginPullAndPushThroughATokenServer() throws {
        let tokens = try TokenServer(users: ["alice": RegistryAuthTests.password])
        let (registry, _) = try Self.registryHoldingPrivateBusybox(.init(token: tokens))
        let root = try CellRoot()
        let service = try EngineService(root: root)
        let name = "\(registry.address)/private/busybox:1"

        let anonymous = try service.docker("pull", name)
        #expect(anonymous.status == 1)
        #expect(anonymous.stderr.contains("may require 'docker login'"))
        let wrong = try service.docker("login", "-u", "alice", "-p", "wrong", registry.address)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("Error response from daemon: "))
        let login = try Self.dockerLogin(service, to: registry, root: root)
        try login.expectSuccess()
        #expect(login.stdout == "Login Succeeded\n")
        let pull = try service.docker("pull", name)
        try pull.expectSuccess()
        #expect(pull.stdout.contains("Status: Downloaded newer image for \(name)\n"))
        try service.docker("tag", name, "\(registry.address)/private/pushed:1").expectSuccess()
        try service.docker("push", "\(registry.address)/private/pushed:1").expectSuccess()
    }

    /// docker-py's `login`, `images.pull`, `images.push` (its streamed progress with the final
    /// aux) and `images.get(...).save()` with `images.load`.
    @Test(.enabled(if: EngineService.hasDockerPy, "needs Debian's python3-docker"))
    func dockerPyLoginPullPushSaveAndLoad() throws {
        let (registry, id) = try Self.registryHoldingPrivateBusybox(.init(htpasswd: ["alice": RegistryAuthTests.password]))
        let root = try CellRoot()
        let service = try EngineService(root: root)
        let result = try service.python("""
            import docker, json, sys
            client = docker.DockerClient(base_url=sys.argv[1])
            reg = "\(registry.address)"
            out = {}
            try:
                client.login(username="alice", password="wrong", registry=reg)
            except docker.errors.APIError as e:
                out["wrong"] = [e.status_code, e.explanation]
            out["login"] = client.login(username="alice", password="\(RegistryAuthTests.password)", registry=reg)
            auth = {"username": "alice", "password": "\(RegistryAuthTests.password)"}
            image = client.images.pull(reg + "/private/busybox", tag="1", auth_config=auth)
            out["pulled"] = [image.id, image.tags]
            image.tag(reg + "/private/again", "3")
            lines = list(client.images.push(reg + "/private/again", tag="3", auth_config=auth, stream=True, decode=True))
            out["first"] = lines[0]
            out["last"] = lines[-1]
            out["statuses"] = sorted(set(l.get("status", "") for l in lines if "id" in l))
            out["said"] = [l["status"] for l in lines if l.get("status", "").startswith("3: digest: ")]
            data = b"".join(image.save())
            client.images.remove(image.id, force=True)
            out["loaded"] = [i.tags for i in client.images.load(data)]
            print(json.dumps(out))
            """)
        try result.expectSuccess()
        let out = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let wrong = out["wrong"] as? [Any]
        #expect(wrong?.first as? Int == 401)
        #expect((out["login"] as? [String: String])?["Status"] == "Login Succeeded")
        let pulled = out["pulled"] as? [Any]
        #expect(pulled?.first as? String == id)
        #expect(pulled?.last as? [String] == ["\(registry.address)/private/busybox:1"])
        #expect((out["first"] as? [String: Any])?["status"] as? String == "The push refers to repository [\(registry.address)/private/again]")
        let aux = (out["last"] as? [String: Any])?["aux"] as? [String: Any]
        #expect(aux?["Tag"] as? String == "3")
        let digest = aux?["Digest"] as? String ?? "?"
        #expect(out["said"] as? [String] == ["3: digest: \(digest) size: \(aux?["Size"] as? Int ?? 0)"])
        // The registry has the layers already (pulled from it): the push says so, per layer.
        #expect((out["statuses"] as? [String])?.contains { $0 == "Layer already exists" || $0.hasPrefix("Mounted from ") } == true,
                "\(out["statuses"] ?? "")")
        #expect(Set((out["loaded"] as? [[String]])?.flatMap { $0 } ?? []) == ["\(registry.address)/private/busybox:1", "\(registry.address)/private/again:3"],
                "\(out["loaded"] ?? "")")
    }

    /// X-Registry-Auth that is no base64 or no JSON: a push is refused with Docker's 400, a
    /// pull goes on without credentials (as moby's); the service keeps serving.
    @Test func malformedRegistryAuthHeaders() throws {
        let registry = try LocalRegistry()
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("tag", "busybox", "\(registry.address)/x:1").expectSuccess()
        let service = try EngineService(root: root)
        for header in ["!!!not base64", Data("{not json".utf8).base64EncodedString(), Data("[1,2]".utf8).base64EncodedString()] {
            let push = try service.request("POST /v1.43/images/\(registry.address)/x/push?tag=1 HTTP/1.1\r\nHost: x\r\nX-Registry-Auth: \(header)\r\nContent-Length: 0\r\n\r\n")
            #expect(push.status == 400)
            #expect(push.message?.hasPrefix("invalid X-Registry-Auth header: ") == true)
        }
        let pull = try service.request("POST /v1.43/images/create?fromImage=\(registry.address)/x&tag=1 HTTP/1.1\r\nHost: x\r\nX-Registry-Auth: !!!\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        #expect(pull.status == 404)
        #expect(pull.message == "manifest for \(registry.address)/x:1 not found: manifest unknown: manifest unknown")
        for body in ["{nope", "[]"] {
            let auth = try service.request("POST /v1.43/auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            #expect(auth.status == 400)
        }
        #expect(try service.request("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
    }

    /// `docker import -` with a change and a message: the body becomes a one-layer image, its id
    /// printed as the docker CLI prints it.
    @Test func dockerImportFromTheBody() throws {
        let root = try CellRoot()
        let service = try EngineService(root: root)
        let imported = try Command.run(EngineService.dockerCLI, ["import", "-c", "CMD [\"echo\", \"imported\"]", "-m", "from a tarball", "-", "made:1"],
                                       stdinFile: try Fixtures.busyboxTarball(),
                                       environment: ["DOCKER_HOST": service.dockerHost, "DOCKER_CONFIG": root.file("docker-config")])
        try imported.expectSuccess()
        let id = try root.cell("images", "-q", "--no-trunc", "made:1").stdout
        #expect(imported.stdout == id)
        #expect(try root.cell("run", "--rm", "made:1").stdout == "imported\n")
        #expect(try root.cell("history", "--format", "{{.Comment}}", "made:1").stdout == "from a tarball\n")
    }
}
