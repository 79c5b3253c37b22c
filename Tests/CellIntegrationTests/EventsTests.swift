import Foundation
import Testing

/// `cell events`: the journal every acting process appends to, read back and followed.
@Suite("events")
struct EventsTests {
    /// This instant as Docker's `seconds.nanoseconds` (a duration such as `0s` names the start
    /// of the current second, as in Docker: events within it would fall after it).
    static func now() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return "\(time.tv_sec).\(String(format: "%09ld", time.tv_nsec))"
    }

    @Test func actionsAreFollowedAsTheyHappen() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let output = root.file("events.out")
        let follower = try ChildProcess("/bin/sh", ["-c", "exec \"$0\" events --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}' > \"$1\"", Paths.cell, output],
                                        environment: ["CELL_ROOT": root.path], captureOutput: false)
        defer { kill(follower.pid, SIGTERM); _ = follower.waitForExit() }
        // Following once its journal directory is watched: the directory exists then.
        #expect(waitUntil { FileManager.default.fileExists(atPath: "\(root.path)/events") })
        try root.cell("run", "--rm", "--name", "short", "busybox", "true").expectSuccess()
        try root.cell("tag", "busybox", "tagged:1").expectSuccess()
        try root.cell("volume", "create", "kept").expectSuccess()
        let expected = "container create short\ncontainer start short\ncontainer die short\ncontainer destroy short\nimage tag tagged:1\nvolume create <no value>\n"
        #expect(waitUntil { (try? String(contentsOfFile: output, encoding: .utf8)) == expected },
                "\((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
    }

    @Test func pastEventsAreFilteredAndShownAsDockerShowsThem() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "--name", "one", "-l", "tier=web", "busybox", "sh", "-c", "exit 3").expectSuccess(or: 3)
        try root.cell("run", "-d", "--name", "two", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "one", "two", "three") }
        try root.cell("exec", "two", "true").expectSuccess()
        try root.cell("pause", "two").expectSuccess()
        try root.cell("unpause", "two").expectSuccess()
        try root.cell("rename", "two", "three").expectSuccess()
        let id = try root.cell("inspect", "-f", "{{.Id}}", "one").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let die = try root.cell("events", "--since", "10m", "--until", EventsTests.now(), "--filter", "event=die", "--filter", "container=one")
        #expect(die.status == 0, "\(die.stderr)")
        let line = die.stdout.trimmingCharacters(in: .newlines)
        #expect(line.hasSuffix(" container die \(id) (exitCode=3, image=busybox, name=one, tier=web)"), "\(line)")
        #expect(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z "#, options: .regularExpression) != nil, "nine digits, as Docker's")
        // A name matches the events made under it (as Docker's filter reads the name they carry); an id, all.
        let renamed = try root.cell("inspect", "-f", "{{.Id}}", "three").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try root.cell("events", "--since", "10m", "--until", EventsTests.now(), "--filter", "container=three", "--format", "{{.Action}}").stdout == "rename\n")
        let actions = try root.cell("events", "--since", "10m", "--until", EventsTests.now(), "--filter", "container=\(renamed.prefix(12))", "--format", "{{.Action}}").stdout
        #expect(actions == "create\nstart\nexec_create: true\nexec_start: true\nexec_die\npause\nunpause\nrename\n", "\(actions)")
        let labelled = try root.cell("events", "--since", "10m", "--until", EventsTests.now(), "--filter", "label=tier=web", "--format", "{{.Action}}").stdout
        #expect(labelled == "create\nstart\ndie\n")
        let json = try root.cell("events", "--since", "10m", "--until", EventsTests.now(), "--filter", "type=container", "--filter", "event=create", "--format", "json").lines
        let first = try JSONSerialization.jsonObject(with: Data(json[0].utf8)) as! [String: Any]
        #expect(first["status"] as? String == "create" && first["Type"] as? String == "container" && first["scope"] as? String == "local")
        #expect((first["Actor"] as? [String: Any])?["ID"] as? String == id)
        // A commit is the container's event; a save is each image's.
        try root.cell("commit", "one", "committed:1").expectSuccess()
        try root.cell("save", "-o", root.file("saved.tar"), "committed:1").expectSuccess()
        #expect(try root.cell("events", "--since", "10m", "--until", EventsTests.now(), "--filter", "container=one", "--filter", "event=commit",
                              "--format", "{{.Action}}").stdout == "commit\n")
        #expect(try root.cell("events", "--since", "10m", "--until", EventsTests.now(), "--filter", "type=image", "--filter", "event=save",
                              "--format", "{{.Action}} {{.Actor.Attributes.name}}").stdout == "save committed:1\n")
        let bad = try root.cell("events", "--filter", "color=red")
        #expect(bad.status == 1 && bad.stderr == "Error response from daemon: invalid filter 'color'\n")
    }

    /// Many writers at once: every line whole.
    @Test func concurrentWritersNeverInterleave() throws {
        let root = try CellRoot()
        let script = "for i in $(seq 1 30); do \"$0\" volume create v$i >/dev/null & done; wait"
        try Command.run("/bin/sh", ["-c", script, Paths.cell], environment: ["CELL_ROOT": root.path]).expectSuccess()
        let events = try root.cell("events", "--since", "10m", "--until", EventsTests.now(), "--filter", "type=volume", "--format", "{{.Actor.ID}}").lines
        #expect(events.count == 30)
        #expect(Set(events) == Set((1...30).map { "v\($0)" }))
    }

    /// A journal whose last line a crash cut short: that line is skipped, the next event is
    /// whole and read, and a follower is not stopped by it.
    @Test func aTornLastLineTakesNoLaterEventDown() throws {
        let root = try CellRoot()
        try root.cell("volume", "create", "before").expectSuccess()
        let journal = "\(root.path)/events/journal"
        let handle = try #require(FileHandle(forWritingAtPath: journal))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"Type":"volume","Action":"cre"#.utf8))
        handle.closeFile()
        try root.cell("volume", "create", "after").expectSuccess()
        let events = try root.cell("events", "--since", "10m", "--until", EventsTests.now(), "--filter", "type=volume", "--format", "{{.Actor.ID}}")
        #expect(events.status == 0 && events.lines == ["before", "after"], "\(events.stdout) \(events.stderr)")
        try root.cell("volume", "rm", "before", "after").expectSuccess()
    }
}

extension CommandResult {
    func expectSuccess(or status: Int32) throws {
        #expect(self.status == 0 || self.status == status, "exit \(self.status): \(stderr)")
    }
}
