import Foundation
import Testing

/// A private podman (its own storage, runroot and containers.conf), so tests never touch the host's.
final class PodmanSandbox {
    let directory: String
    let environment: [String: String]

    init(_ root: CellRoot) throws {
        directory = root.file("podman")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let conf = """
        [containers]
        default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
        [engine]
        runtime = "runc"
        cgroup_manager = "cgroupfs"
        events_logger = "file"
        """
        try conf.write(toFile: "\(directory)/containers.conf", atomically: true, encoding: .utf8)
        environment = ["CONTAINERS_CONF": "\(directory)/containers.conf"]
    }

    deinit {
        _ = try? Command.run("/usr/bin/podman", globalArguments + ["system", "reset", "-f"], environment: environment)
        _ = try? Command.run("/bin/umount", ["-R", "\(directory)/root"])
    }

    var globalArguments: [String] {
        ["--root", "\(directory)/root", "--runroot", "\(directory)/run", "--tmpdir", "\(directory)/tmp",
         "--storage-driver", "vfs"]
    }

    @discardableResult
    func run(_ arguments: String...) throws -> CommandResult {
        try Command.run("/usr/bin/podman", globalArguments + arguments, environment: environment)
    }
}

@Suite("interop with skopeo, umoci and podman", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/podman")))
struct InteropTests {
    @Test func aSavedImageIsReadBySkopeoUmociAndPodman() throws {
        let root = try CellRoot()
        let id = try root.importBusybox("interop/busybox:1")
        let archive = root.file("saved.tar")
        try root.cell("save", "-o", archive, "interop/busybox:1").expectSuccess()

        let skopeo = try Command.run("/usr/bin/skopeo", ["inspect", "--raw", "oci-archive:\(archive)"])
        try skopeo.expectSuccess()
        #expect(skopeo.stdout.contains("application/vnd.oci.image.layer.v1.tar+gzip"))
        let skopeoConfig = try Command.run("/usr/bin/skopeo", ["inspect", "--config", "oci-archive:\(archive)"])
        try skopeoConfig.expectSuccess()
        #expect(skopeoConfig.stdout.contains("\"diff_ids\""))

        let layoutDir = root.file("layout")
        let bundle = root.file("bundle")
        try Command.shell("mkdir -p '\(layoutDir)' && tar -xf '\(archive)' -C '\(layoutDir)'").expectSuccess()
        let umoci = try Command.run("/usr/bin/umoci", ["unpack", "--image", "\(layoutDir):1", bundle])
        try umoci.expectSuccess()
        #expect(FileManager.default.fileExists(atPath: "\(bundle)/rootfs/bin/busybox"))

        let podman = try PodmanSandbox(root)
        let load = try podman.run("load", "-i", archive)
        try load.expectSuccess()
        let inspect = try podman.run("image", "inspect", "--format", "{{.Id}}", "interop/busybox:1")
        try inspect.expectSuccess()
        #expect("sha256:" + inspect.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == id)
        let run = try podman.run("run", "--rm", "--net", "none", "interop/busybox:1", "echo", "hello from cell")
        try run.expectSuccess()
        #expect(run.stdout == "hello from cell\n")
    }

    @Test(arguments: ["docker-archive", "oci-archive"])
    func anImageSavedByPodmanLoadsWithTheSameLayersAndConfig(format: String) throws {
        let root = try CellRoot()
        let podman = try PodmanSandbox(root)
        try podman.run("import", "--change", "CMD [\"sh\"]", try Fixtures.busyboxTarball(), "localhost/frompodman:2").expectSuccess()
        let podmanID = try podman.run("image", "inspect", "--format", "{{.Id}}", "localhost/frompodman:2")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let podmanLayers = try podman.run("image", "inspect", "--format", "{{json .RootFS.Layers}}", "localhost/frompodman:2").stdout
        let archive = root.file("podman-\(format).tar")
        try podman.run("save", "--format", format, "-o", archive, "localhost/frompodman:2").expectSuccess()

        let load = try root.cell("load", "-i", archive)
        try load.expectSuccess()
        #expect(load.stdout.contains("localhost/frompodman:2") || load.stdout.contains("Loaded image ID: sha256:\(podmanID)"))
        let loadedID = try root.cell("images", "-q", "--no-trunc").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(loadedID == "sha256:\(podmanID)")
        let layers = try root.cell("image", "inspect", "-f", "{{json .RootFS.Layers}}", loadedID).stdout
        #expect(layers == podmanLayers)
        #expect(try root.cell("image", "inspect", "-f", "{{json .Config.Cmd}}", loadedID).stdout == "[\"sh\"]\n")
    }

    @Test func saveAndLoadRoundTripKeepsTheIdWithEachCompression() throws {
        for compression in ["gzip", "zstd", "none"] {
            let source = try CellRoot()
            let id = try source.importBusybox("roundtrip:\(compression)")
            let archive = source.file("rt.tar")
            try source.cell("save", "--compression", compression, "-o", archive, "roundtrip:\(compression)").expectSuccess()
            let target = try CellRoot()
            let load = try target.cell("load", "-i", archive)
            try load.expectSuccess()
            #expect(load.stdout == "Loaded image: roundtrip:\(compression)\n")
            #expect(try target.cell("images", "-q", "--no-trunc").stdout == "\(id)\n")
            let again = try target.cell(["load"], stdinFile: archive)
            try again.expectSuccess()
        }
    }
}
