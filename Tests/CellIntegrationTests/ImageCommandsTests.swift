import Foundation
import Testing

@Suite("images: import, images, tag, rmi, inspect, history, prune")
struct ImageCommandsTests {
    @Test func importPrintsAnIdAndImagesListsIt() throws {
        let root = try CellRoot()
        let id = try root.importBusybox()
        #expect(id.hasPrefix("sha256:") && id.count == 71)

        let table = try root.cell("images")
        try table.expectSuccess()
        #expect(table.lines.first?.hasPrefix("REPOSITORY   TAG       IMAGE ID       CREATED") == true)
        let row = try #require(table.lines.dropFirst().first)
        #expect(row.hasPrefix("busybox      latest    \(id.dropFirst(7).prefix(12))   "))
        #expect(row.contains("seconds ago") || row.contains("Less than a second ago"))

        #expect(try root.cell("images", "-q").stdout == "\(id.dropFirst(7).prefix(12))\n")
        #expect(try root.cell("images", "-q", "--no-trunc").stdout == "\(id)\n")
        #expect(try root.cell("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").stdout
                == "busybox:latest \(id.dropFirst(7).prefix(12))\n")
        #expect(try root.cell("image", "ls", "--format", "json").stdout.contains(#""Repository":"busybox""#))
    }

    @Test func importFromStandardInputCompressedAndWithChanges() throws {
        let root = try CellRoot()
        let gz = root.file("rootfs.tar.gz")
        try Command.shell("gzip -1 -c '\(try Fixtures.busyboxTarball())' > '\(gz)'").expectSuccess()
        let result = try root.cell(["import", "-c", "ENV FOO=bar", "-c", "EXPOSE 8080", "-c", "CMD [\"sh\"]",
                                    "-m", "from a pipe", "-", "piped:1"], stdinFile: gz)
        try result.expectSuccess()
        let inspect = try root.cell("image", "inspect", "-f",
                                    "{{json .Config.Env}} {{json .Config.Cmd}} {{json .Config.ExposedPorts}} {{.Comment}}", "piped:1")
        try inspect.expectSuccess()
        #expect(inspect.stdout == "[\"FOO=bar\"] [\"sh\"] {\"8080/tcp\":{}} from a pipe\n")
        // The same content imported twice is one layer blob.
        let plain = try root.importBusybox("plain:1")
        let layers = try root.cell("image", "inspect", "-f", "{{index .RootFS.Layers 0}}", "piped:1", plain)
        let lines = layers.lines
        #expect(lines.count == 2 && lines[0] == lines[1])
    }

    @Test func tagUntagAndDeleteWithBlobsCollected() throws {
        let root = try CellRoot()
        let id = try root.importBusybox("busybox:latest")
        try root.cell("tag", "busybox", "example.com:5000/team/app:v1").expectSuccess()
        try root.cell("tag", "busybox:latest", "app").expectSuccess()
        let names = try root.cell("images", "--format", "{{.Repository}}:{{.Tag}}").lines.sorted()
        #expect(names == ["app:latest", "busybox:latest", "example.com:5000/team/app:v1"])

        let byID = try root.cell("rmi", String(id.dropFirst(7).prefix(6)))
        #expect(byID.status == 1)
        #expect(byID.stderr.contains("image is referenced in multiple repositories"))

        let untag = try root.cell("rmi", "app")
        try untag.expectSuccess()
        #expect(untag.stdout == "Untagged: app:latest\n")

        try root.cell("rmi", "example.com:5000/team/app:v1").expectSuccess()
        let last = try root.cell("rmi", "busybox")
        try last.expectSuccess()
        #expect(last.stdout == "Untagged: busybox:latest\nDeleted: \(id)\n")
        #expect(try root.cell("images", "-q").stdout.isEmpty)
        let blobs = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/blobs/sha256")
        #expect(blobs.isEmpty, "blobs left: \(blobs)")
    }

    @Test func retaggingLeavesTheOldImageDanglingAndPruneRemovesIt() throws {
        let root = try CellRoot()
        let first = try root.importBusybox("app:1")
        let changed = try root.cell(["import", "-c", "ENV V=2", try Fixtures.busyboxTarball(), "app:1"])
        try changed.expectSuccess()
        let table = try root.cell("images", "--format", "{{.Repository}} {{.Tag}} {{.ID}}")
        #expect(table.lines.contains("<none> <none> \(first.dropFirst(7).prefix(12))"))
        #expect(try root.cell("images", "-f", "dangling=true", "-q").stdout == "\(first.dropFirst(7).prefix(12))\n")

        let prune = try root.cell("image", "prune", "-f")
        try prune.expectSuccess()
        #expect(prune.stdout.hasPrefix("Deleted Images:\ndeleted: \(first)\n"))
        #expect(prune.stdout.contains("Total reclaimed space: "))
        #expect(try root.cell("images", "-q").lines.count == 1)

        let pruneAll = try root.cell("image", "prune", "-a", "-f")
        #expect(pruneAll.stdout.contains("untagged: app:1"))
        #expect(try root.cell("images", "-q").stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/blobs/sha256").isEmpty)
    }

    @Test func inspectShowsDockerFieldsAndTemplates() throws {
        let root = try CellRoot()
        let id = try root.importBusybox()
        let result = try root.cell("image", "inspect", "busybox")
        try result.expectSuccess()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let image = try #require(json.first)
        #expect(image["Id"] as? String == id)
        #expect(image["RepoTags"] as? [String] == ["busybox:latest"])
        #expect((image["Config"] as? [String: Any])?["Cmd"] as? [String] == ["sh"])
        #expect(image["Os"] as? String == "linux")
        #expect(((image["RootFS"] as? [String: Any])?["Layers"] as? [String])?.count == 1)
        #expect(result.stdout.hasPrefix("[\n    {\n        \"Id\": \"sha256:"))

        #expect(try root.cell("inspect", "-f", "{{.Id}}", "busybox").stdout == "\(id)\n")
        let missing = try root.cell("inspect", "nosuch")
        #expect(missing.status == 1)
        #expect(missing.stdout == "[]\n")
        #expect(missing.stderr == "Error: No such object: nosuch\n")
    }

    @Test func historyHasOneRowPerLayer() throws {
        let root = try CellRoot()
        let id = try root.importBusybox()
        let history = try root.cell("history", "busybox")
        try history.expectSuccess()
        #expect(history.lines.count == 2)
        #expect(history.lines[0].hasPrefix("IMAGE          CREATED"))
        #expect(history.lines[0].contains("CREATED BY"))
        #expect(history.lines[1].hasPrefix(String(id.dropFirst(7).prefix(12))))
        #expect(history.lines[1].contains("Imported from "))
        #expect(try root.cell("history", "-q", "--no-trunc", "busybox").stdout == "\(id)\n")
    }

    @Test func badInputGetsOneLineAndTheStoreStaysAsItWas() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let index = try String(contentsOfFile: "\(root.path)/index.json", encoding: .utf8)
        let blobs = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/blobs/sha256").sorted()

        let missing = try root.cell("import", "/nonexistent/rootfs.tar", "x")
        #expect(missing.status == 1)
        #expect(missing.stderr.split(separator: "\n").count == 1)
        #expect(missing.stderr.contains("/nonexistent/rootfs.tar"))

        let garbage = root.file("garbage.tar")
        try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: URL(fileURLWithPath: garbage))
        let corrupt = try root.cell("import", garbage, "x")
        #expect(corrupt.status == 1)
        #expect(corrupt.stderr.hasPrefix("Error: ") && corrupt.stderr.split(separator: "\n").count == 1)

        let truncated = root.file("truncated.tar")
        let whole = try Data(contentsOf: URL(fileURLWithPath: try Fixtures.busyboxTarball()))
        try whole.prefix(whole.count / 2 + 100).write(to: URL(fileURLWithPath: truncated))
        let cut = try root.cell("import", truncated, "x")
        #expect(cut.status == 1)
        #expect(cut.stderr.split(separator: "\n").count == 1)

        let badName = try root.cell("import", try Fixtures.busyboxTarball(), "Bad/Name")
        #expect(badName.status == 125)
        #expect(badName.stderr.contains("invalid reference format"))

        let unknown = try root.cell("rmi", "nosuch")
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "Error: No such image: nosuch:latest\n")

        let badFlag = try root.cell("images", "--bogus")
        #expect(badFlag.status == 125)

        #expect(try String(contentsOfFile: "\(root.path)/index.json", encoding: .utf8) == index)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/blobs/sha256").sorted() == blobs)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp").isEmpty)
    }

    @Test func hostileTarballsAreRefusedOrContained() throws {
        let root = try CellRoot()
        let outside = root.file("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)

        let dotdot = root.file("dotdot.tar")
        try Fixtures.makeTar(at: dotdot, python: """
        data = b'owned'
        info = tarfile.TarInfo('../../../../\(outside.dropFirst())/escaped'); info.size = len(data)
        out.addfile(info, io.BytesIO(data))
        """)
        let refused = try root.cell("import", dotdot, "evil:1")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("escapes"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        #expect(try root.cell("images", "-q").stdout.isEmpty)

        // Absolute paths are contained (made relative); a symlink pointing out is kept as a link
        // and a device node is dropped.
        let contained = root.file("contained.tar")
        try Fixtures.makeTar(at: contained, python: """
        data = b'inside'
        info = tarfile.TarInfo('/etc/abs-file'); info.size = len(data)
        out.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo('escape'); link.type = tarfile.SYMTYPE; link.linkname = '\(outside)'
        out.addfile(link)
        dev = tarfile.TarInfo('dev/sda'); dev.type = tarfile.BLKTYPE; dev.devmajor = 8; dev.devminor = 0
        out.addfile(dev)
        """)
        try root.cell("import", contained, "contained:1").expectSuccess()
        let saved = root.file("contained-save.tar")
        try root.cell("save", "--compression", "none", "-o", saved, "contained:1").expectSuccess()
        let listing = try Command.shell("""
        set -e; d=$(mktemp -d); tar -xf '\(saved)' -C "$d"
        for l in $(python3 -c "import json;print(' '.join(json.load(open('$d/manifest.json'))[0]['Layers']))"); do tar -tvf "$d/$l"; done
        rm -rf "$d"
        """)
        try listing.expectSuccess()
        #expect(listing.stdout.contains("etc/abs-file"))
        #expect(!listing.stdout.contains(" /etc/abs-file"))
        #expect(listing.stdout.contains("escape -> \(outside)"))
        #expect(!listing.stdout.contains("dev/sda"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
    }
}
