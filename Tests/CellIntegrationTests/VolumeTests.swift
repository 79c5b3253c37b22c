import Foundation
import Testing

/// Named and anonymous volumes: Docker's verbs and semantics, and data that outlives containers.
@Suite("volumes")
struct VolumeTests {
    @Test func theVolumeVerbsAnswerAsDockers() throws {
        let root = try CellRoot()
        #expect(try root.cell("volume", "create", "--label", "tier=db", "data").stdout == "data\n")
        #expect(try root.cell("volume", "create", "data").stdout == "data\n", "an existing volume is returned as it is")
        #expect(try root.cell("volume", "create", "other").status == 0)
        #expect(try root.cell("volume", "ls").stdout == "DRIVER    VOLUME NAME\nlocal     data\nlocal     other\n")
        #expect(try root.cell("volume", "ls", "-q", "--filter", "label=tier=db").stdout == "data\n")
        #expect(try root.cell("volume", "ls", "--format", "{{.Name}} {{.Driver}} {{.Labels}}", "-f", "name=dat").stdout == "data local tier=db\n")
        let inspect = try root.cell("volume", "inspect", "data")
        let parsed = try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as! [[String: Any]]
        #expect(parsed.count == 1)
        #expect(parsed[0]["Name"] as? String == "data" && parsed[0]["Driver"] as? String == "local" && parsed[0]["Scope"] as? String == "local")
        #expect(parsed[0]["Mountpoint"] as? String == "\(root.path)/volumes/data/_data")
        #expect((parsed[0]["Labels"] as? [String: String]) == ["tier": "db"])
        #expect(parsed[0]["Options"] is NSNull)
        #expect(try root.cell("volume", "inspect", "-f", "{{.Name}}", "data", "other").stdout == "data\nother\n")

        let invalid = try root.cell("volume", "create", "../escape")
        #expect(invalid.status == 1)
        #expect(invalid.stderr == "Error response from daemon: create ../escape: \"../escape\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path\n")
        let badOption = try root.cell("volume", "create", "--opt", "color=red", "x1")
        #expect(badOption.status == 1 && badOption.stderr == "Error response from daemon: create x1: invalid option key: \"color\"\n")
        let missing = try root.cell("volume", "inspect", "nothing")
        #expect(missing.status == 1 && missing.stderr == "Error: get nothing: no such volume\n")
        let rmMissing = try root.cell("volume", "rm", "nothing")
        #expect(rmMissing.status == 1 && rmMissing.stderr == "Error response from daemon: get nothing: no such volume\n")
        #expect(try root.cell("volume", "rm", "-f", "nothing").status == 0)
        #expect(try root.cell("volume", "rm", "data", "other").stdout == "data\nother\n")
        #expect(try root.cell("volume", "ls", "-q").stdout.isEmpty)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/volumes")
        #expect(leftovers.isEmpty, "nothing half made or half removed: \(leftovers)")
    }

    @Test func dataOutlivesItsContainersAPruneAndAKilledMonitor() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "--rm", "-v", "keep:/data", "busybox", "sh", "-c", "echo first > /data/file").expectSuccess()
        #expect(try root.cell("run", "--rm", "-v", "keep:/data:ro", "busybox", "cat", "/data/file").stdout == "first\n")
        let readOnly = try root.cell("run", "--rm", "-v", "keep:/data:ro", "busybox", "sh", "-c", "echo x > /data/other")
        #expect(readOnly.status != 0 && readOnly.stderr.contains("Read-only file system"))
        try root.cell("system", "prune", "-f", "--volumes").expectSuccess()
        #expect(try root.cell("run", "--rm", "-v", "keep:/data", "busybox", "cat", "/data/file").stdout == "first\n", "a named volume is not pruned without -a")

        try root.cell("run", "-d", "--name", "writer", "-v", "keep:/data", "busybox", "sh", "-c", "echo second > /data/file; sleep 1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "writer") }
        #expect(waitUntil { (try? String(contentsOfFile: "\(root.path)/volumes/keep/_data/file", encoding: .utf8)) == "second\n" })
        let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", "writer").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let monitor = Int32(stat[stat.range(of: ")", options: .backwards)!.upperBound...].split(separator: " ")[1])!
        kill(monitor, SIGKILL)
        try root.cell("rm", "-f", "writer").expectSuccess()
        #expect(try root.cell("run", "--rm", "-v", "keep:/data", "busybox", "cat", "/data/file").stdout == "second\n")
        let inUse = try root.cell("create", "--name", "holder", "-v", "keep:/data", "busybox")
        let holder = inUse.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let refused = try root.cell("volume", "rm", "keep")
        #expect(refused.status == 1 && refused.stderr == "Error response from daemon: remove keep: volume is in use - [\(holder)]\n")
        try root.cell("rm", "holder").expectSuccess()
        try root.cell("volume", "rm", "keep").expectSuccess()
        try expectNothingLeft(root)
    }

    /// An empty volume mounted where the image has files is filled with them (owner and mode
    /// too), unless nocopy; a volume with content is left as it is.
    @Test func anEmptyVolumeIsFilledFromTheImage() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = root.file("context")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "FROM busybox\nRUN mkdir -p /seed && echo from-image > /seed/file && chown 1000:1000 /seed && chmod 750 /seed\nVOLUME /seed\n"
            .write(toFile: "\(context)/Imagefile", atomically: true, encoding: .utf8)
        try root.cell("build", "-q", "-t", "seeded", context).expectSuccess()
        let filled = try root.cell("run", "--rm", "-v", "fresh:/seed", "seeded", "sh", "-c", "cat /seed/file; stat -c '%u:%g %a' /seed")
        #expect(filled.stdout == "from-image\n1000:1000 750\n", "\(filled.stderr)")
        try root.cell("run", "--rm", "-v", "fresh:/seed", "seeded", "sh", "-c", "echo changed > /seed/file").expectSuccess()
        #expect(try root.cell("run", "--rm", "-v", "fresh:/seed", "seeded", "cat", "/seed/file").stdout == "changed\n", "a volume with content stays")
        #expect(try root.cell("run", "--rm", "-v", "bare:/seed:nocopy", "seeded", "ls", "-A", "/seed").stdout == "")
        #expect(try root.cell("run", "--rm", "--mount", "type=volume,source=viamount,target=/seed,volume-nocopy", "seeded", "ls", "-A", "/seed").stdout == "")
        #expect(try root.cell("run", "--rm", "--mount", "source=viamount2,target=/seed,readonly", "seeded", "cat", "/seed/file").stdout == "from-image\n")
    }

    /// The image's VOLUMEs and `-v /path` get anonymous volumes: `rm -v` and `--rm` take them
    /// along, `rm` alone leaves them dangling for `volume prune`.
    @Test func anonymousVolumesGoWithTheirContainer() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = root.file("context")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "FROM busybox\nVOLUME /cache\n".write(toFile: "\(context)/Imagefile", atomically: true, encoding: .utf8)
        try root.cell("build", "-q", "-t", "withvolume", context).expectSuccess()

        try root.cell("run", "--rm", "withvolume", "sh", "-c", "echo x > /cache/f").expectSuccess()
        #expect(try root.cell("volume", "ls", "-q").stdout.isEmpty, "--rm took its anonymous volume")

        try root.cell("run", "--name", "kept", "-v", "/scratch", "withvolume", "true").expectSuccess()
        let anonymous = try root.cell("volume", "ls", "-q").lines
        #expect(anonymous.count == 2 && anonymous.allSatisfy { $0.count == 64 })
        let mounts = try root.cell("inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Destination}} {{.RW}};{{end}}", "kept").stdout
        #expect(mounts == "volume /scratch true;volume /cache true;\n", "\(mounts)")
        #expect(try root.cell("volume", "ls", "-q", "--filter", "dangling=true").stdout.isEmpty, "in use while the container exists")
        try root.cell("rm", "kept").expectSuccess()
        #expect(try root.cell("volume", "ls", "-q", "--filter", "dangling=true").lines.count == 2)
        try root.cell("volume", "create", "named").expectSuccess()
        let prune = try root.cell("volume", "prune", "-f")
        #expect(prune.stdout.hasPrefix("Deleted Volumes:\n") && prune.stdout.hasSuffix("\nTotal reclaimed space: 0B\n"), "\(prune.stdout)")
        #expect(try root.cell("volume", "ls", "-q").stdout == "named\n", "named volumes stay without -a")
        #expect(try root.cell("volume", "prune", "-af").stdout == "Deleted Volumes:\nnamed\n\nTotal reclaimed space: 0B\n")

        try root.cell("run", "--name", "again", "withvolume", "true").expectSuccess()
        try root.cell("rm", "-v", "again").expectSuccess()
        #expect(try root.cell("volume", "ls", "-q").stdout.isEmpty, "rm -v took it")
    }

    @Test func volumesFromAndVolumeOptions() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let host = root.file("hostdir")
        try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true)
        try "on the host\n".write(toFile: "\(host)/note", atomically: true, encoding: .utf8)
        try root.cell("create", "--name", "source", "-v", "shared:/shared", "-v", "\(host):/host", "busybox").expectSuccess()
        try root.cell("run", "--rm", "--volumes-from", "source", "busybox", "sh", "-c", "echo via > /shared/f").expectSuccess()
        #expect(try root.cell("run", "--rm", "--volumes-from", "source:ro", "busybox", "cat", "/shared/f", "/host/note").stdout == "via\non the host\n")
        let readOnly = try root.cell("run", "--rm", "--volumes-from", "source:ro", "busybox", "touch", "/shared/g")
        #expect(readOnly.status != 0)
        let missing = try root.cell("run", "--rm", "--volumes-from", "nobody", "busybox", "true")
        #expect(missing.status == 125 && missing.stderr == "Error: No such container: nobody\n")

        try root.cell("volume", "create", "--opt", "type=tmpfs", "--opt", "o=size=1m", "memory").expectSuccess()
        #expect(try root.cell("run", "--rm", "-v", "memory:/m", "busybox", "sh", "-c", "grep ' /m ' /proc/mounts | cut -d' ' -f3").stdout == "tmpfs\n")
        try root.cell("volume", "create", "--opt", "type=none", "--opt", "o=bind", "--opt", "device=\(host)", "bound").expectSuccess()
        #expect(try root.cell("run", "--rm", "-v", "bound:/b", "busybox", "cat", "/b/note").stdout == "on the host\n")
        let df = try root.cell("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}")
        #expect(df.stdout.contains("Local Volumes 3 1\n"), "\(df.stdout)")
        try root.cell("rm", "source").expectSuccess()
        try expectNothingLeft(root)
    }
}
