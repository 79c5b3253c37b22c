import Foundation
import Testing

@Suite("store safety: concurrency, crashes, corruption, full disk")
struct StoreSafetyTests {
    @Test func parallelImportsAndTagsOnOneRootAllLand() throws {
        let root = try CellRoot()
        let tarball = try Fixtures.busyboxTarball()
        let script = (1...8).map { i in
            "CELL_ROOT='\(root.path)' '\(Paths.cell)' import -c 'ENV N=\(i)' '\(tarball)' par/img:\(i) >/dev/null &"
        }.joined(separator: "\n") + "\nfor j in $(jobs -p); do wait $j || exit 1; done"
        try Command.shell(script).expectSuccess()
        let tags = try root.cell("images", "--format", "{{.Tag}}").lines.sorted()
        #expect(tags == (1...8).map(String.init).sorted())
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(root.path)/index.json")))
        #expect(((index as? [String: Any])?["manifests"] as? [Any])?.count == 8)
    }

    @Test func killedMidImportLeavesTheStoreAsItWas() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let before = try String(contentsOfFile: "\(root.path)/index.json", encoding: .utf8)
        let blobsBefore = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/blobs/sha256").sorted()

        // A slow writer: the tar header arrives, then the data trickles; cell is killed mid-stream.
        let fifo = root.file("slow.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        // The writer opens the FIFO first (opening it for reading blocks until a writer exists).
        let writer = try ChildProcess("/bin/bash", ["-c", "exec 3>'\(fifo)'; head -c 1500000 '\(try Fixtures.busyboxTarball())' >&3; exec sleep 60"],
                                      captureOutput: false)
        let process = try ChildProcess(Paths.cell, ["import", "-", "half:1"], environment: ["CELL_ROOT": root.path],
                                       input: .file(fifo), captureOutput: false)
        // Wait until cell is writing its temporary blob, then kill it.
        let started = waitUntil(timeout: 20) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp")) ?? []
            return names.contains { name in
                ((try? FileManager.default.attributesOfItem(atPath: "\(root.path)/tmp/\(name)")[.size] as? Int) ?? 0) > 0
            }
        }
        #expect(started)
        kill(process.pid, SIGKILL)
        process.waitForExit()
        kill(writer.pid, SIGKILL)
        writer.waitForExit()

        #expect(try String(contentsOfFile: "\(root.path)/index.json", encoding: .utf8) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/blobs/sha256").sorted() == blobsBefore)
        #expect(try root.cell("images", "--format", "{{.Repository}}").stdout == "busybox\n")
        // The next collection removes what the killed import left in tmp/.
        try root.cell("image", "prune", "-f").expectSuccess()
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/tmp").isEmpty)
    }

    @Test func aCorruptBlobIsNamedNeverUsed() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let layer = try root.cell("image", "inspect", "-f", "{{index .RootFS.Layers 0}}", "busybox")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let path = "\(root.path)/blobs/sha256/\(layer.dropFirst(7))"
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: 4096)
        try handle.write(contentsOf: Data("tampered".utf8))
        try handle.close()
        let save = try root.cell("save", "-o", root.file("out.tar"), "busybox")
        #expect(save.status == 1)
        #expect(save.stderr.contains(layer) && save.stderr.contains("corrupt"))
        #expect(!FileManager.default.fileExists(atPath: root.file("out.tar")))

        // A corrupt config is found on read as well.
        let config = try root.cell("images", "-q", "--no-trunc").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: "\(root.path)/blobs/sha256/\(config.dropFirst(7))"))
        let inspect = try root.cell("image", "inspect", "busybox")
        #expect(inspect.status == 1)
        #expect(inspect.stderr.contains(config))
    }

    @Test func aTruncatedOrTamperedArchiveLoadsNothing() throws {
        let root = try CellRoot()
        try root.importBusybox("src:1")
        let archive = root.file("src.tar")
        try root.cell("save", "--compression", "none", "-o", archive, "src:1").expectSuccess()
        let target = try CellRoot()

        let whole = try Data(contentsOf: URL(fileURLWithPath: archive))
        let truncated = target.file("truncated.tar")
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: truncated))
        let cut = try target.cell("load", "-i", truncated)
        #expect(cut.status == 1)
        #expect(cut.stderr.split(separator: "\n").count == 1)

        // Flip bytes inside the layer: the loader names the corrupt blob.
        let tampered = target.file("tampered.tar")
        try Command.shell("""
        set -e; d=$(mktemp -d); tar -xf '\(archive)' -C "$d"
        layer=$(python3 -c "import json;print(json.load(open('$d/manifest.json'))[0]['Layers'][0])")
        printf 'XXXXXXXX' | dd of="$d/$layer" bs=1 seek=8192 conv=notrunc status=none
        tar -C "$d" -cf '\(tampered)' . ; rm -rf "$d"
        """).expectSuccess()
        let bad = try target.cell("load", "-i", tampered)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("corrupt"))
        #expect(try target.cell("images", "-q").stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(target.path)/blobs/sha256").isEmpty)
    }

    @Test func aFullDiskIsOneLineAndNothingHalfWritten() throws {
        let root = try CellRoot()
        let small = root.file("small-disk")
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        try Command.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small]).expectSuccess()
        defer { _ = try? Command.run("/bin/umount", [small]) }
        let result = try Command.run(Paths.cell, ["--root", small, "import", try Fixtures.busyboxTarball(), "big:1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("No space left on device"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try Command.run(Paths.cell, ["--root", small, "images", "-q"]).stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(small)/tmp").isEmpty)
    }

    // MARK: Several cell processes on one store

    /// busybox plus `files` empty files in /data: unpacking its layer (or deleting it) takes long
    /// enough for another command to start meanwhile. Imported as `name` (the same layer again
    /// on a second import).
    static func importBigImage(_ root: CellRoot, _ name: String, files: Int = 20000) throws {
        let tarball = root.file("big.tar")
        if !FileManager.default.fileExists(atPath: tarball) { try Command.shell("""
        set -e; d=$(mktemp -d); tar -C "$d" -xf '\(try Fixtures.busyboxTarball())'; mkdir "$d/data"
        (cd "$d/data" && seq 1 \(files) | xargs touch); tar -C "$d" -cf '\(tarball)' .; rm -rf "$d"
        """).expectSuccess() }
        try root.cell("import", "-c", "CMD [\"sh\"]", tarball, name).expectSuccess()
    }

    func entries(_ directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    @Test func rmiDuringACreationWaitsAndKeepsTheContainersImage() throws {
        let root = try CellRoot()
        try Self.importBigImage(root, "big")
        let create = try ChildProcess(Paths.cell, ["create", "big", "sh", "-c", "ls /data | wc -l"],
                                      environment: ["CELL_ROOT": root.path], captureOutput: true)
        // The creation has found the image and is unpacking its layer: rmi now.
        let unpacking = waitUntil(timeout: 30) { entries("\(root.path)/layers").contains { $0.hasPrefix(".tmp-") } }
        #expect(unpacking)
        let rmi = try root.cell("rmi", "big")
        let created = create.finish()
        try created.expectSuccess()
        // rmi waited for the record, then saw the image in use.
        #expect(rmi.status == 1)
        #expect(rmi.stderr.contains("is using its referenced image"))
        try root.cell("image", "prune", "-a", "-f").expectSuccess()
        let start = try root.cell("start", "-a", created.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(start.status == 0)
        #expect(start.stdout == "20000\n")
    }

    @Test func parallelRmisOfTwoNamesKeepAnImageInUse() throws {
        let root = try CellRoot()
        let id = try root.importBusybox("a")
        try root.cell("create", "--name", "user", "a", "true").expectSuccess()
        for _ in 1...15 {
            try root.cell("tag", id, "a").expectSuccess()
            try root.cell("tag", id, "b").expectSuccess()
            try Command.shell("""
            export CELL_ROOT='\(root.path)'; '\(Paths.cell)' rmi a >/dev/null 2>&1 & '\(Paths.cell)' rmi b >/dev/null 2>&1 & wait
            """).expectSuccess()
            // One untags its name, the other is refused: the last name of an image in use stays.
            #expect(try root.cell("images", "-q", "--no-trunc").stdout == "\(id)\n")
            if try root.cell("images", "--format", "{{.Repository}}").lines.count != 1 { break }
        }
        try root.cell("image", "prune", "-a", "-f").expectSuccess()
        try root.cell("start", "-a", "user").expectSuccess()
    }

    @Test func aCollectionKilledMidLayerLeavesNoPartialLayer() throws {
        let root = try CellRoot()
        try Self.importBigImage(root, "big", files: 30000)
        try root.cell("run", "--rm", "big", "true").expectSuccess()
        let layer = try #require(entries("\(root.path)/layers").first)
        let rmi = try ChildProcess(Paths.cell, ["rmi", "big"], environment: ["CELL_ROOT": root.path], captureOutput: false)
        // Kill the collection once it has begun on the layer's files.
        let deleting = waitUntil(timeout: 30) {
            !FileManager.default.fileExists(atPath: "\(root.path)/layers/\(layer)")
                || entries("\(root.path)/layers/\(layer)/data").count < 30000
        }
        kill(rmi.pid, SIGKILL)
        rmi.waitForExit()
        #expect(deleting)
        // The image again: its layer is unpacked whole, never taken from what the kill left.
        try Self.importBigImage(root, "big", files: 30000)
        let count = try root.cell("run", "--rm", "big", "sh", "-c", "ls /data | wc -l")
        #expect(count.stdout == "30000\n")
        try root.cell("image", "prune", "-f").expectSuccess()
        #expect(entries("\(root.path)/layers") == [layer])
    }

    @Test func aBuildLeavesAnotherBuildsFinishedRunStepAlone() throws {
        let root = try CellRoot()
        try root.importBusybox()
        for (name, imagefile) in [("big", "FROM busybox\nRUN mkdir /data && for i in $(seq 1 2000); do dd if=/dev/zero of=/data/f$i bs=16k count=1 2>/dev/null; done\n"),
                                  ("small", "FROM busybox\nRUN true\n")] {
            try FileManager.default.createDirectory(atPath: root.file(name), withIntermediateDirectories: true)
            try imagefile.write(toFile: root.file("\(name)/Imagefile"), atomically: true, encoding: .utf8)
        }
        let big = try ChildProcess(Paths.cell, ["build", "--no-cache", "-q", "-t", "big", root.file("big")],
                                   environment: ["CELL_ROOT": root.path], captureOutput: true)
        // The RUN step has exited; its upper directory is being archived into a layer.
        let exited = waitUntil(timeout: 60) {
            entries("\(root.path)/build").contains { name in
                ((try? String(contentsOfFile: "\(root.path)/build/\(name)/state", encoding: .utf8)) ?? "").contains("exited")
            }
        }
        #expect(exited)
        try root.cell("build", "--no-cache", "-q", "-t", "small", root.file("small")).expectSuccess()
        try big.finish().expectSuccess()
        #expect(try root.cell("run", "--rm", "big", "sh", "-c", "ls /data | wc -l").stdout == "2000\n")
        #expect(entries("\(root.path)/build").isEmpty)
    }

    /// Whether a child has exited (a zombie not yet reaped counts), without reaping it.
    func hasExited(_ process: ChildProcess) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    @Test func cpHoldsTheContainersLockAgainstStartAndRm() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let payload = root.file("payload")
        try Command.shell("mkdir '\(payload)' && cd '\(payload)' && seq 1 10000 | xargs touch").expectSuccess()
        for verb in ["start", "rm"] {
            let id = try root.cell("create", "busybox", "sleep", "30").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let copy = try ChildProcess(Paths.cell, ["cp", payload, "\(id):/payload"], environment: ["CELL_ROOT": root.path],
                                        captureOutput: true)
            let copying = waitUntil(timeout: 30) { FileManager.default.fileExists(atPath: "\(root.path)/containers/\(id)/upper/payload") }
            #expect(copying)
            // start waits for the copy (no second overlay on its upper directory), rm too.
            try root.cell(verb, id).expectSuccess()
            #expect(hasExited(copy), "\(verb) returned while cp was still copying")
            try copy.finish().expectSuccess()
            if verb == "start" {
                #expect(try root.cell("exec", id, "sh", "-c", "ls /payload | wc -l").stdout == "10000\n")
                try root.cell("rm", "-f", id).expectSuccess()
            }
        }
        #expect(entries("\(root.path)/containers").isEmpty)
    }

    @Test func rmSweepsWhatKilledCreationsAndRemovalsLeft() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let id = try root.cell("create", "busybox", "true").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // What a kill -9 leaves mid-create and mid-rm.
        let containers = "\(root.path)/containers"
        try Command.shell("""
        mkdir -p '\(containers)/.tmp-\(String(repeating: "a", count: 64))/upper/etc' '\(containers)/.rm-\(String(repeating: "b", count: 64))/upper'
        touch '\(containers)/.tmp-\(String(repeating: "a", count: 64))/config.json' '\(containers)/.rm-\(String(repeating: "b", count: 64))/upper/f'
        """).expectSuccess()
        try root.cell("rm", id).expectSuccess()
        #expect(entries(containers).isEmpty)
    }
}
