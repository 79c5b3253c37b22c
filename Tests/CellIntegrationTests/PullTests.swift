import Foundation
import Testing

/// `cell pull` against registries no one here wrote (Debian's docker-registry, fed by skopeo),
/// and against a hostile one that lies about its blobs.
@Suite("registries: pull")
struct PullTests {
    /// The compressed layer digests of what the registry serves for `name`.
    static func layerDigests(_ registry: LocalRegistry, _ name: String) throws -> [String] {
        let raw = try Command.run("/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(registry.address)/\(name)"])
        try raw.expectSuccess()
        let manifest = try JSONSerialization.jsonObject(with: Data(raw.stdout.utf8)) as! [String: Any]
        return (manifest["layers"] as! [[String: Any]]).map { $0["digest"] as! String }
    }

    @Test func aPushedImagePullsRunsAndIsUpToDateAfter() throws {
        let registry = try LocalRegistry()
        let source = try CellRoot()
        try source.importBusybox()
        try registry.push("busybox", from: source, as: "tools/busybox:1")
        let digest = try registry.digest(of: "tools/busybox:1")
        let layer = try PullTests.layerDigests(registry, "tools/busybox:1")[0]
        let short = String(layer.dropFirst("sha256:".count).prefix(12))

        let root = try CellRoot()
        let name = "\(registry.address)/tools/busybox:1"
        let pull = try root.cell("pull", name)
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(pull.stdout == """
            1: Pulling from tools/busybox
            \(short): Pulling fs layer
            \(short): Verifying Checksum
            \(short): Download complete
            \(short): Pull complete
            Digest: \(digest)
            Status: Downloaded newer image for \(name)
            \(name)

            """)
        #expect(try root.cell("run", "--rm", name, "echo", "pulled").stdout == "pulled\n")
        #expect(try root.cell("image", "inspect", "-f", "{{.Id}} {{json .RepoDigests}}", name).stdout
                == (try source.cell("image", "inspect", "-f", "{{.Id}}", "busybox").stdout.trimmingCharacters(in: .newlines))
                + " [\"\(registry.address)/tools/busybox@\(digest)\"]\n", "the same image id, and the registry's digest")
        #expect(try root.cell("images", "--digests", "--format", "{{.Repository}}:{{.Tag}} {{.Digest}}").stdout == "\(registry.address)/tools/busybox:1 \(digest)\n")

        let again = try root.cell("pull", name)
        #expect(again.stdout == "1: Pulling from tools/busybox\nDigest: \(digest)\nStatus: Image is up to date for \(name)\n\(name)\n")
        #expect(try root.cell("pull", "-q", name).stdout == "\(name)\n")
        // By digest: the same content, nothing fetched again.
        let byDigest = try root.cell("image", "pull", "-q", "\(registry.address)/tools/busybox@\(digest)")
        #expect(byDigest.status == 0 && byDigest.stdout == "\(registry.address)/tools/busybox@\(digest)\n", "\(byDigest.stderr)")
        try expectNothingLeftInTemporary(root)
    }

    @Test func dockerSchema2AndDefaultTagsPull() throws {
        let registry = try LocalRegistry()
        let source = try CellRoot()
        try source.importBusybox()
        try registry.push("busybox", from: source, as: "library/box:latest", format: "v2s2")
        try registry.push("busybox", from: source, as: "library/box:2", format: "v2s2")
        let root = try CellRoot()
        let pull = try root.cell("pull", "\(registry.address)/library/box")
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(pull.stdout.hasPrefix("Using default tag: latest\nlatest: Pulling from library/box\n"))
        #expect(pull.stdout.hasSuffix("\(registry.address)/library/box:latest\n"))
        #expect(try root.cell("run", "--rm", "\(registry.address)/library/box", "true").status == 0)

        let all = try root.cell("pull", "-a", "-q", "\(registry.address)/library/box")
        #expect(all.status == 0 && all.stdout == "\(registry.address)/library/box\n", "\(all.stderr)")
        #expect(try root.cell("images", "--format", "{{.Tag}}").lines.sorted() == ["2", "latest"])
    }

    /// An index of two platforms (made by hand from busybox, pushed by skopeo): the host's is
    /// pulled unless --platform asks for the other; a platform it lacks is an error naming
    /// those it has.
    @Test func aMultiPlatformIndexYieldsThePlatformAsked() throws {
        let registry = try LocalRegistry()
        let source = try CellRoot()
        try source.importBusybox()
        let layout = source.file("layout")
        let archive = source.file("busybox.tar")
        try source.cell("save", "-o", archive, "busybox").expectSuccess()
        let script = #"""
            import hashlib, json, os, sys, tarfile
            archive, layout = sys.argv[1:]
            os.makedirs(layout)
            tarfile.open(archive).extractall(layout)
            blobs = os.path.join(layout, "blobs", "sha256")
            def read(d): return json.load(open(os.path.join(blobs, d.split(":")[1])))
            def write(obj):
                data = json.dumps(obj).encode()
                d = hashlib.sha256(data).hexdigest()
                open(os.path.join(blobs, d), "wb").write(data)
                return {"digest": "sha256:" + d, "size": len(data)}
            index = json.load(open(os.path.join(layout, "index.json")))
            manifest = read(index["manifests"][0]["digest"])
            config = read(manifest["config"]["digest"])
            config["architecture"], config["variant"] = "arm64", "v8"
            arm_config = write(config)
            arm = dict(manifest)
            arm["config"] = dict(manifest["config"], **arm_config)
            arm_manifest = write(arm)
            amd = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": index["manifests"][0]["digest"],
                   "size": index["manifests"][0]["size"], "platform": {"os": "linux", "architecture": "amd64"}}
            armd = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}}
            armd.update(arm_manifest)
            top = write({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [armd, amd]})
            json.dump({"schemaVersion": 2, "manifests": [dict(top, mediaType="application/vnd.oci.image.index.v1+json",
                       annotations={"org.opencontainers.image.ref.name": "multi"})]}, open(os.path.join(layout, "index.json"), "w"))
            """#
        try Command.run("/usr/bin/python3", ["-c", script, archive, layout]).expectSuccess()
        try Command.run("/usr/bin/skopeo", ["copy", "--quiet", "--multi-arch", "all", "--dest-tls-verify=false",
                                            "oci:\(layout):multi", "docker://\(registry.address)/multi:1"]).expectSuccess()
        let name = "\(registry.address)/multi:1"

        let root = try CellRoot()
        try root.cell("pull", "-q", name).expectSuccess()
        #expect(try root.cell("image", "inspect", "-f", "{{.Architecture}}", name).stdout == "amd64\n")
        try root.cell("pull", "-q", "--platform", "linux/arm64", name).expectSuccess()
        #expect(try root.cell("image", "inspect", "-f", "{{.Architecture}}", name).stdout == "arm64\n")
        #expect(try root.cell("images", "-q").lines.count == 2, "the amd64 image lost its name and stays")
        let missing = try root.cell("pull", "--platform", "linux/s390x", name)
        #expect(missing.status == 1)
        #expect(missing.stderr == "Error response from daemon: no matching manifest for linux/s390x in the manifest list entries of \(name) (it has linux/arm64/v8, linux/amd64)\n")
    }

    @Test func registryErrorsAreOneLineAndLeaveTheStoreAlone() throws {
        let registry = try LocalRegistry()
        let root = try CellRoot()
        let unknown = try root.cell("pull", "\(registry.address)/nothing/here:1")
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "Error response from daemon: manifest for \(registry.address)/nothing/here:1 not found: manifest unknown: manifest unknown\n")
        let down = try root.cell("pull", "127.0.0.1:\(try LocalRegistry.freePort())/x:1")
        #expect(down.status == 1 && down.stderr.hasPrefix("Error response from daemon: Get \"http://127.0.0.1:"), "\(down.stderr)")
        let bad = try root.cell("pull", "Not/Valid")
        #expect(bad.status == 1 && bad.stderr == "invalid reference format: repository name (Valid) must be lowercase\n", "\(bad.stderr)")
        let tagged = try root.cell("pull", "-a", "\(registry.address)/x:1")
        #expect(tagged.status == 125 && tagged.stderr.hasPrefix("cell: tag can't be used with --all-tags/-a"), "\(tagged.stderr)")
        #expect(try root.cell("images", "-aq").stdout.isEmpty)
    }

    /// A registry whose blobs are not what the manifest says: nothing of the image is kept,
    /// and no blob the digest check refused is left for a later pull to trust.
    @Test func aLyingRegistryLeavesNothingBehind() throws {
        let source = try CellRoot()
        try source.importBusybox()
        let layerBytes = Array("not the layer at all".utf8)
        let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:\#(String(repeating: "1", count: 64))"]}}"#.utf8)
        let configDigest = "sha256:" + sha256(config)
        let claimed = "sha256:" + String(repeating: "a", count: 64)
        func manifest(layerSize: Int) -> [UInt8] {
            Array("""
                {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
                 "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(configDigest)","size":\(config.count)},
                 "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\(claimed)","size":\(layerSize)}]}
                """.utf8)
        }
        let json = "application/vnd.oci.image.manifest.v1+json"
        let registry = try ScriptedRegistry(routes: [
            "/v2/": (200, "application/json", Array("{}".utf8)),
            "/v2/lies/manifests/wrong": (200, json, manifest(layerSize: layerBytes.count)),
            "/v2/lies/manifests/long": (200, json, manifest(layerSize: 4)),
            "/v2/lies/manifests/garbage": (200, json, Array("{\"schemaVersion\": 2, \"layers\": [".utf8)),
            "/v2/lies/manifests/schema1": (200, "application/vnd.docker.distribution.manifest.v1+prettyjws", Array("{}".utf8)),
            "/v2/lies/blobs/\(configDigest)": (200, "application/octet-stream", config),
            "/v2/lies/blobs/\(claimed)": (200, "application/octet-stream", layerBytes),
        ])
        let root = try CellRoot()
        let wrong = try root.cell("pull", "\(registry.address)/lies:wrong")
        #expect(wrong.status == 1)
        #expect(wrong.stderr.hasPrefix("Error response from daemon: filesystem layer verification failed for digest \(claimed)"), "\(wrong.stderr)")
        let long = try root.cell("pull", "\(registry.address)/lies:long")
        #expect(long.status == 1 && long.stderr.contains("is longer than the 4 bytes its manifest says"), "\(long.stderr)")
        let garbage = try root.cell("pull", "\(registry.address)/lies:garbage")
        #expect(garbage.status == 1 && garbage.stderr.hasPrefix("Error response from daemon: "), "\(garbage.stderr)")
        let schema1 = try root.cell("pull", "\(registry.address)/lies:schema1")
        #expect(schema1.status == 1 && schema1.stderr.contains("schema 1"), "\(schema1.stderr)")
        let byDigest = try root.cell("pull", "\(registry.address)/lies@sha256:\(String(repeating: "b", count: 64))")
        #expect(byDigest.status == 1, "\(byDigest.stderr)")

        #expect(try root.cell("images", "-aq").stdout.isEmpty)
        let blobs = (try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/blobs/sha256")) ?? []
        #expect(!blobs.contains(String(claimed.dropFirst(7))), "the refused layer is not stored")
        try expectNothingLeftInTemporary(root)
    }

    /// run and create pull what the store lacks (`--pull missing`, the default), every time with
    /// `always`, never with `never`; build pulls its FROM images.
    @Test func runAndBuildPullWhatTheyNeed() throws {
        let registry = try LocalRegistry()
        let source = try CellRoot()
        try source.importBusybox()
        try registry.push("busybox", from: source, as: "tools/busybox:1")
        let name = "\(registry.address)/tools/busybox:1"
        let root = try CellRoot()

        let never = try root.cell("run", "--rm", "--pull", "never", name, "true")
        #expect(never.status == 125 && never.stderr == "Error: No such image: \(name)\n", "\(never.stderr)")
        let bogus = try root.cell("run", "--rm", "--pull", "sometimes", name, "true")
        #expect(bogus.status == 125 && bogus.stderr.hasPrefix("cell: invalid pull option: 'sometimes': must be one of \"always\", \"missing\" or \"never\""), "\(bogus.stderr)")

        let run = try root.cell("run", "--rm", name, "echo", "ran")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "ran\n", "the pull's progress goes to stderr")
        #expect(run.stderr.hasPrefix("Unable to find image '\(name)' locally\n1: Pulling from tools/busybox\n"), "\(run.stderr)")
        let again = try root.cell("create", name)
        #expect(again.status == 0 && again.stderr.isEmpty, "present: no pull")
        let always = try root.cell("create", "--pull=always", name)
        #expect(always.status == 0 && always.stderr.contains("Status: Image is up to date for \(name)"), "\(always.stderr)")
        let failed = try root.cell("run", "--rm", "\(registry.address)/tools/none:1", "true")
        #expect(failed.status == 125)
        #expect(failed.stderr == "Unable to find image '\(registry.address)/tools/none:1' locally\nError response from daemon: manifest for \(registry.address)/tools/none:1 not found: manifest unknown: manifest unknown\n")

        let context = root.file("context")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "FROM \(registry.address)/tools/busybox:1\nRUN echo built > /built\n".write(toFile: "\(context)/Imagefile", atomically: true, encoding: .utf8)
        let fresh = try CellRoot()
        let build = try fresh.cell("build", "-q", "-t", "on-top", context)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(try fresh.cell("run", "--rm", "on-top", "cat", "/built").stdout == "built\n")
        #expect(try fresh.cell("build", "-q", "--pull", "-t", "on-top", context).status == 0)
        try "FROM 127.0.0.1:\(try LocalRegistry.freePort())/nosuch:image\n".write(toFile: "\(context)/Imagefile", atomically: true, encoding: .utf8)
        let missing = try fresh.cell("build", context)
        #expect(missing.status == 1 && missing.stderr.contains("Imagefile:1: failed to resolve source metadata for 127.0.0.1:"), "\(missing.stderr)")
        try root.cell("rm", "-f", again.stdout.trimmingCharacters(in: .whitespacesAndNewlines), always.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).expectSuccess()
        try expectNothingLeftInTemporary(root)
    }

    /// zstd layers (skopeo recompresses them on the way) pull and run like gzip ones.
    @Test func zstdLayersPull() throws {
        let registry = try LocalRegistry()
        let source = try CellRoot()
        let id = try source.importBusybox()
        let archive = source.file("busybox.tar")
        try source.cell("save", "-o", archive, "busybox").expectSuccess()
        try Command.run("/usr/bin/skopeo", ["copy", "--quiet", "--dest-tls-verify=false", "--dest-compress-format", "zstd",
                                            "oci-archive:\(archive)", "docker://\(registry.address)/z/box:1"]).expectSuccess()
        let raw = try Command.run("/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(registry.address)/z/box:1"])
        #expect(raw.stdout.contains("tar+zstd"), "the registry has a zstd layer: \(raw.stdout)")
        let root = try CellRoot()
        try root.cell("pull", "-q", "\(registry.address)/z/box:1").expectSuccess()
        #expect(try root.cell("image", "inspect", "-f", "{{.Id}}", "\(registry.address)/z/box:1").stdout == id + "\n")
        #expect(try root.cell("run", "--rm", "\(registry.address)/z/box:1", "echo", "zstd").stdout == "zstd\n")
    }

    /// A store on a full disk: the pull fails in one line and leaves nothing named or half kept.
    @Test func aFullDiskFailsThePullCleanly() throws {
        let registry = try LocalRegistry()
        let source = try CellRoot()
        try source.importBusybox()
        try registry.push("busybox", from: source, as: "tools/busybox:1")
        let root = try CellRoot()
        // 3 MB: the compressed layer fits, the decompressed one (2.1 MB more) does not.
        try Command.run("/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", root.path]).expectSuccess()
        defer { _ = try? Command.run("/bin/umount", [root.path]) }
        let pull = try root.cell("pull", "-q", "\(registry.address)/tools/busybox:1")
        #expect(pull.status == 1)
        #expect(pull.stderr.hasPrefix("Error response from daemon: ") && pull.stderr.contains("No space left on device"), "\(pull.stderr)")
        #expect(pull.stderr.split(separator: "\n").count == 1)
        #expect(try root.cell("images", "-aq").stdout.isEmpty)
        try root.cell("system", "prune", "-f").expectSuccess()
        try expectNothingLeftInTemporary(root)
    }

    /// A forward proxy from the environment (`http_proxy`, `NO_PROXY`), as curl and Docker read it.
    @Test func pullsGoThroughTheProxyTheEnvironmentNames() throws {
        let registry = try LocalRegistry()
        let source = try CellRoot()
        try source.importBusybox()
        try registry.push("busybox", from: source, as: "tools/busybox:1")
        let log = source.file("proxy.log")
        let proxy = """
            import http.server, sys, urllib.request
            log = sys.argv[2]
            class Proxy(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def log_message(self, *args): pass
                def do_CONNECT(self):
                    self.send_response(405); self.send_header("Content-Length", "0"); self.end_headers()
                def do_GET(self):
                    with open(log, "a") as out: out.write(self.path + "\\n")
                    request = urllib.request.Request(self.path, headers={k: v for k, v in self.headers.items() if k.lower() not in ("host", "proxy-connection")})
                    try:
                        answer = urllib.request.urlopen(request)
                        status, headers, body = answer.status, answer.headers, answer.read()
                    except urllib.error.HTTPError as error:
                        status, headers, body = error.code, error.headers, error.read()
                    self.send_response(status)
                    for key, value in headers.items():
                        if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
            http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Proxy).serve_forever()
            """
        let port = try LocalRegistry.freePort()
        let server = try ChildProcess("/usr/bin/python3", ["-c", proxy, String(port), log], captureOutput: false)
        defer { kill(server.pid, SIGTERM); _ = server.waitForExit() }
        #expect(waitUntil(timeout: 20) { LocalRegistry.accepts(port: port) })
        let root = try CellRoot()
        let name = "\(registry.address)/tools/busybox:1"
        let proxied = try root.cell(["pull", "-q", name], environment: ["http_proxy": "http://127.0.0.1:\(port)", "https_proxy": "http://127.0.0.1:\(port)"])
        #expect(proxied.status == 0, "\(proxied.stderr)")
        let seen = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(seen.contains("http://\(registry.address)/v2/tools/busybox/manifests/1"), "the proxy carried the pull: \(seen)")
        try root.cell("rmi", name).expectSuccess()
        try? FileManager.default.removeItem(atPath: log)
        let bypassed = try root.cell(["pull", "-q", name], environment: ["http_proxy": "http://127.0.0.1:\(port)", "NO_PROXY": "127.0.0.1"])
        #expect(bypassed.status == 0, "\(bypassed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: log), "NO_PROXY kept the proxy out")
    }

    func expectNothingLeftInTemporary(_ root: CellRoot, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let left = (try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp")) ?? []
        #expect(left.isEmpty, "left in tmp/: \(left)", sourceLocation: sourceLocation)
    }

    func sha256(_ bytes: [UInt8]) -> String {
        let result = try? Command.run("/usr/bin/sha256sum", [], stdin: Data(bytes))
        return String(result?.stdout.prefix(64) ?? "")
    }
}
