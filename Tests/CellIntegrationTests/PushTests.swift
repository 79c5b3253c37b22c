import Foundation
import Testing

/// `cell push` to Debian's docker-registry, read back by skopeo and by cell.
@Suite("registries: push")
struct PushTests {
    @Test func aPushedImageIsWhatSkopeoReadsAndPushingAgainChangesNothing() throws {
        let registry = try LocalRegistry()
        let root = try CellRoot()
        let id = try root.importBusybox()
        let name = "\(registry.address)/team/busybox:1"
        try root.cell("tag", "busybox", name).expectSuccess()
        let diffID = try root.cell("image", "inspect", "-f", "{{index .RootFS.Layers 0}}", name).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let short = String(diffID.dropFirst("sha256:".count).prefix(12))

        let push = try root.cell("push", name)
        #expect(push.status == 0, "\(push.stderr)")
        let digest = try registry.digest(of: "team/busybox:1")
        let size = try Command.run("/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(name)"]).stdout.utf8.count
        #expect(push.stdout == """
            The push refers to repository [\(name.dropLast(2))]
            \(short): Preparing
            \(short): Pushed
            1: digest: \(digest) size: \(size)

            """)
        // skopeo reads the same image: its config is cell's image id.
        let config = try Command.run("/usr/bin/skopeo", ["inspect", "--tls-verify=false", "--format", "{{.Architecture}} {{len .Layers}}", "docker://\(name)"])
        #expect(config.stdout == "amd64 1\n", "\(config.stderr)")
        let copied = root.file("copied")
        try Command.run("/usr/bin/skopeo", ["copy", "--quiet", "--src-tls-verify=false", "docker://\(name)", "oci:\(copied):x"]).expectSuccess()
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(copied)/index.json"))) as! [String: Any]
        let manifestDigest = ((index["manifests"] as! [[String: Any]])[0]["digest"] as! String).dropFirst(7)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(copied)/blobs/sha256/\(manifestDigest)"))) as! [String: Any]
        #expect((manifest["config"] as! [String: Any])["digest"] as? String == id)

        let again = try root.cell("push", name)
        #expect(again.stdout == """
            The push refers to repository [\(name.dropLast(2))]
            \(short): Preparing
            \(short): Layer already exists
            1: digest: \(digest) size: \(size)

            """)
        #expect(try root.cell("image", "inspect", "-f", "{{json .RepoDigests}}", name).stdout == "[\"\(registry.address)/team/busybox@\(digest)\"]\n")

        // Another repository of the same registry: the layer is mounted, not sent again.
        let other = "\(registry.address)/other/busybox:2"
        try root.cell("tag", "busybox", other).expectSuccess()
        let mounted = try root.cell("push", other)
        #expect(mounted.stdout.contains("\(short): Mounted from team/busybox\n"), "\(mounted.stdout)")
        #expect(try root.cell("push", "-q", other).stdout == "\(other)\n")
        let pulled = try CellRoot()
        try pulled.cell("pull", "-q", other).expectSuccess()
        #expect(try pulled.cell("run", "--rm", other, "echo", "round").stdout == "round\n")
    }

    /// An image another tool pushed (Docker schema 2, its own gzip): pulled by cell, pushed by
    /// cell elsewhere, it keeps every digest.
    @Test func aPullPushPullRoundTripKeepsEveryDigest() throws {
        let registry = try LocalRegistry()
        let source = try CellRoot()
        try source.importBusybox()
        try registry.push("busybox", from: source, as: "origin/box:1", format: "v2s2")
        let original = try registry.digest(of: "origin/box:1")

        let root = try CellRoot()
        try root.cell("pull", "-q", "\(registry.address)/origin/box:1").expectSuccess()
        try root.cell("tag", "\(registry.address)/origin/box:1", "\(registry.address)/copy/box:1").expectSuccess()
        let push = try root.cell("push", "\(registry.address)/copy/box:1")
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stdout.hasSuffix("1: digest: \(original) size: \(try rawSize(registry, "origin/box:1"))\n"), "\(push.stdout)")
        #expect(try registry.digest(of: "copy/box:1") == original)
        let media = try Command.run("/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(registry.address)/copy/box:1"])
        #expect(media.stdout.contains("application/vnd.docker.distribution.manifest.v2+json"), "the manifest as the registry had it")

        // And into a registry that has nothing of it: every blob goes from the store.
        let second = try LocalRegistry()
        try root.cell("tag", "\(registry.address)/origin/box:1", "\(second.address)/box:1").expectSuccess()
        try root.cell("push", "-q", "\(second.address)/box:1").expectSuccess()
        #expect(try second.digest(of: "box:1") == original)
        // A garbage collection keeps what a push needs: a third registry gets it all again.
        try root.cell("image", "prune", "-f").expectSuccess()
        try root.cell("system", "prune", "-f").expectSuccess()
        let third = try LocalRegistry()
        try root.cell("tag", "\(registry.address)/origin/box:1", "\(third.address)/box:1").expectSuccess()
        try root.cell("push", "-q", "\(third.address)/box:1").expectSuccess()
        #expect(try third.digest(of: "box:1") == original)
    }

    @Test func pushErrorsAreDockers() throws {
        let registry = try LocalRegistry()
        let root = try CellRoot()
        try root.importBusybox()
        let missing = try root.cell("push", "\(registry.address)/not/here:1")
        #expect(missing.status == 1)
        #expect(missing.stderr == "Error response from daemon: An image does not exist locally with the tag: \(registry.address)/not/here\n")
        let down = "127.0.0.1:\(try LocalRegistry.freePort())/x:1"
        try root.cell("tag", "busybox", down).expectSuccess()
        let unreachable = try root.cell("push", down)
        #expect(unreachable.status == 1 && unreachable.stderr.hasPrefix("Error response from daemon: Get \"http://127.0.0.1:"), "\(unreachable.stderr)")
        let usage = try root.cell("push")
        #expect(usage.status == 1 && usage.stderr.hasPrefix("cell: 'cell push' requires at least 1 and at most 2 arguments"), "\(usage.stderr)")
    }

    /// Podman pulls what cell pushed and runs it; cell pulls what podman pushed.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/podman")))
    func podmanAndCellReadEachOthersPushes() throws {
        let registry = try LocalRegistry()
        let root = try CellRoot()
        let id = try root.importBusybox()
        try root.cell("tag", "busybox", "\(registry.address)/from/cell:1").expectSuccess()
        try root.cell("push", "-q", "\(registry.address)/from/cell:1").expectSuccess()
        let podman = try PodmanSandbox(root)
        try podman.run("pull", "-q", "--tls-verify=false", "\(registry.address)/from/cell:1").expectSuccess()
        #expect(try podman.run("image", "inspect", "--format", "sha256:{{.Id}}", "\(registry.address)/from/cell:1").stdout == id + "\n")
        #expect(try podman.run("run", "--rm", "--net", "none", "\(registry.address)/from/cell:1", "echo", "podman ran it").stdout == "podman ran it\n")

        try podman.run("tag", "\(registry.address)/from/cell:1", "\(registry.address)/from/podman:2").expectSuccess()
        try podman.run("push", "-q", "--tls-verify=false", "\(registry.address)/from/podman:2").expectSuccess()
        let other = try CellRoot()
        try other.cell("pull", "-q", "\(registry.address)/from/podman:2").expectSuccess()
        #expect(try other.cell("run", "--rm", "\(registry.address)/from/podman:2", "echo", "cell ran it").stdout == "cell ran it\n")
        #expect(try other.cell("image", "inspect", "-f", "{{.Id}}", "\(registry.address)/from/podman:2").stdout == id + "\n")
    }

    /// A layer of 40 MB that gzip cannot shrink goes up in chunks (PATCH) and arrives whole.
    @Test func aBigLayerIsPushedInChunks() throws {
        let registry = try LocalRegistry()
        let root = try CellRoot()
        let tarball = root.file("big.tar")
        try Fixtures.makeTar(at: tarball, python: """
            import os
            data = os.urandom(40 * 1000 * 1000)
            info = tarfile.TarInfo("big.bin"); info.size = len(data)
            out.addfile(info, io.BytesIO(data))
            """)
        let id = try root.cell("import", tarball, "\(registry.address)/big/layer:1").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let push = try root.cell("push", "\(registry.address)/big/layer:1")
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stdout.contains(": Pushed\n"))
        let other = try CellRoot()
        try other.cell("pull", "-q", "\(registry.address)/big/layer:1").expectSuccess()
        #expect(try other.cell("image", "inspect", "-f", "{{.Id}}", "\(registry.address)/big/layer:1").stdout == id + "\n")
    }

    /// Podman's form: `push SOURCE DESTINATION` sends an image (by name or id) under a name the
    /// store does not have.
    @Test func anImageIsPushedUnderAnotherName() throws {
        let registry = try LocalRegistry()
        let root = try CellRoot()
        let id = try root.importBusybox()
        let push = try root.cell("push", "-q", String(id.dropFirst(7).prefix(12)), "\(registry.address)/elsewhere/box:7")
        #expect(push.status == 0 && push.stdout == "\(registry.address)/elsewhere/box:7\n", "\(push.stderr)")
        #expect(try registry.digest(of: "elsewhere/box:7").hasPrefix("sha256:"))
        #expect(try root.cell("images", "--format", "{{.Repository}}").stdout == "busybox\n", "no local name was made")
        let conflict = try root.cell("push", "-a", "busybox", "\(registry.address)/x")
        #expect(conflict.status == 125)
    }

    private func rawSize(_ registry: LocalRegistry, _ name: String) throws -> Int {
        try Command.run("/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", "docker://\(registry.address)/\(name)"]).stdout.utf8.count
    }
}
