import Foundation
import Testing

/// `cell system prune`: docker's warning and prompt, a refusal that removes nothing and exits 0,
/// and what -f and -a remove, reported section by section.
@Suite struct SystemPruneTests {
    static let warning = """
        WARNING! This will remove:
          - all stopped containers
          - all networks not used by at least one container
          - all dangling images
          - unused build cache

        Are you sure you want to continue? [y/N] 
        """

    @Test func removesStoppedContainersDanglingImagesAndTheBuildCache() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.buildOneStepImage("built")
        let stopped = try root.cell("create", "--name", "stopped", "busybox", "true").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let dangling = try root.cell("commit", "stopped").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try root.cell("run", "-d", "--name", "running", "busybox", "sleep", "60").expectSuccess()
        #expect(try waitUntil { try root.cell("inspect", "-f", "{{.State.Running}}", "running").stdout == "true\n" })

        // A refusal or no answer at all: nothing removed, status 0, as docker.
        for answer in [Data("n\n".utf8), Data()] {
            let refused = try root.cell(["system", "prune"], stdin: answer)
            #expect(refused.status == 0 && refused.stdout == Self.warning)
        }
        #expect(try root.cell("ps", "-aq").lines.count == 2)
        #expect(try root.cell("images", "-q").lines.count == 3)

        let pruned = try root.cell("system", "prune", "-f")
        #expect(pruned.status == 0)
        let cacheID = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/build-cache").first
        #expect(cacheID == nil)
        #expect(pruned.stdout.hasPrefix("Deleted Containers:\n\(stopped)\n\nDeleted Images:\ndeleted: \(dangling)\n\nDeleted build cache objects:\n"))
        #expect(pruned.lines.last?.hasPrefix("Total reclaimed space: ") == true)
        #expect(try root.cell("ps", "-a", "--format", "{{.Names}}").stdout == "running\n")
        #expect(try root.cell("images", "--format", "{{.Repository}}").lines.sorted() == ["built", "busybox"])

        // -a: every image no container uses; the running container's stays.
        let all = try root.cell(["system", "prune", "-a"], stdin: Data("y\n".utf8))
        #expect(all.status == 0)
        #expect(all.stdout.hasPrefix(Self.warning.replacingOccurrences(of: "all dangling images", with: "all images without at least one container associated to them")
                                        .replacingOccurrences(of: "unused build cache", with: "all build cache") + "Deleted Images:\nuntagged: built:latest\n"))
        #expect(try root.cell("images", "--format", "{{.Repository}}").stdout == "busybox\n")
        let nothing = try root.cell("system", "prune", "-f")
        #expect(nothing.stdout == "Total reclaimed space: 0B\n")
        #expect(try root.cell("system", "prune", "extra").status == 1)

        try root.cell("rm", "-f", "running").expectSuccess()
        try expectNothingLeft(root)
    }
}

/// `--filter` of the three prunes: moby's until=, label=, label!= (and dangling= for images), its
/// answers to a filter it does not know, and system prune's warning that lists them.
@Suite struct PruneFilterCommandTests {
    static func id(_ result: CommandResult) -> String { result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }

    @Test func containerPruneTakesLabelsAndCreationTimes() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("create", "--name", "kept", "--label", "keep=yes", "busybox", "true").expectSuccess()
        let database = Self.id(try root.cell("create", "--name", "database", "--label", "tier=db", "busybox", "true"))
        let plain = Self.id(try root.cell("create", "--name", "plain", "busybox", "true"))

        let tier = try root.cell("container", "prune", "-f", "--filter", "label=tier=db")
        #expect(tier.status == 0 && tier.stdout.hasPrefix("Deleted Containers:\n\(database)\n\nTotal reclaimed space: "))
        // Created a moment ago: not before an hour ago, so nothing goes.
        #expect(try root.cell("container", "prune", "-f", "--filter", "until=1h").stdout == "Total reclaimed space: 0B\n")
        // A minute ahead (a negative duration, as Go reads it) and not labelled keep=yes: plain goes.
        let rest = try root.cell("container", "prune", "-f", "--filter", "until=-1m", "--filter", "label!=keep=yes")
        #expect(rest.status == 0 && rest.stdout.hasPrefix("Deleted Containers:\n\(plain)\n\n"))
        #expect(try root.cell("ps", "-a", "--format", "{{.Names}}").stdout == "kept\n")

        // Mistakes: the engine's answers (exit 1), the flag's (125); nothing removed.
        let unknown = try root.cell("container", "prune", "-f", "--filter", "foo=bar")
        #expect(unknown.status == 1 && unknown.stdout.isEmpty && unknown.stderr == "Error response from daemon: invalid filter 'foo'\n")
        let soon = try root.cell("container", "prune", "-f", "--filter", "until=soon")
        #expect(soon.status == 1 && soon.stderr == "Error response from daemon: failed to parse value as time or duration: \"soon\"\n")
        let twice = try root.cell("container", "prune", "-f", "--filter", "until=1h", "--filter", "UNTIL = 2h")
        #expect(twice.status == 1 && twice.stderr == "Error response from daemon: more than one until filter specified\n")
        let bare = try root.cell("container", "prune", "-f", "--filter", "label")
        #expect(bare.status == 125 && bare.stderr == """
            invalid argument "label" for "--filter" flag: bad format of filter (expected name=value)

            Usage:  cell container prune [OPTIONS]

            Run 'cell container prune --help' for more information

            """)
        #expect(try root.cell("ps", "-aq").lines.count == 1)
        try root.cell("rm", "kept").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func imagePruneReadsLabelsAndTimesFromTheConfig() throws {
        let root = try CellRoot()
        let plain = try root.importBusybox()
        try root.cell("tag", "busybox", "other:1").expectSuccess()
        let labelled = try root.cell(["import", "-c", "LABEL keep=yes", "-c", "CMD [\"sh\"]", try Fixtures.busyboxTarball(), "kept:1"])
        try labelled.expectSuccess()

        let young = try root.cell("image", "prune", "-a", "-f", "--filter", "until=1h")
        #expect(young.stdout == "Total reclaimed space: 0B\n")
        let unlabelled = try root.cell("image", "prune", "-a", "-f", "--filter", "label!=keep=yes")
        #expect(unlabelled.status == 0)
        #expect(unlabelled.lines.prefix(4).sorted() == ["Deleted Images:", "deleted: \(plain)", "untagged: busybox:latest", "untagged: other:1"])
        #expect(try root.cell("images", "--format", "{{.Repository}}:{{.Tag}}").stdout == "kept:1\n")
        // dangling=false is -a; an hour ahead covers an image made just now.
        let ahead = try root.cell("image", "prune", "-f", "--filter", "dangling=false", "--filter", "until=-1h", "--filter", "label=keep")
        #expect(ahead.stdout.hasPrefix("Deleted Images:\nuntagged: kept:1\n"))
        #expect(try root.cell("images", "-q").stdout.isEmpty)

        let maybe = try root.cell("image", "prune", "-f", "--filter", "dangling=maybe")
        #expect(maybe.status == 1 && maybe.stderr == "Error response from daemon: invalid filter 'dangling=maybe'\n")
        try expectNothingLeft(root)
    }

    @Test func systemPruneListsItsFiltersAndAppliesThemToEachPrune() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.buildOneStepImage("built")
        let labelled = Self.id(try root.cell("create", "--label", "a=1", "busybox", "true"))
        try root.cell("create", "--name", "unlabelled", "busybox", "true").expectSuccess()

        let refused = try root.cell(["system", "prune", "--filter", "until=24h", "--filter", "label=a", "--filter", "label=a",
                                     "--filter", "label!=v10", "--filter", "label!=v9"], stdin: Data("n\n".utf8))
        #expect(refused.status == 0 && refused.stdout == SystemPruneTests.warning.replacingOccurrences(of: "\n\nAre you", with: """


              Items to be pruned will be filtered with:
              - label!=v9
              - label!=v10
              - label=a
              - until=24h

            Are you
            """))

        // Everything was made or used just now: an hour ago, nothing of it existed.
        #expect(try root.cell("system", "prune", "-f", "--filter", "until=1h").stdout == "Total reclaimed space: 0B\n")
        #expect(try !FileManager.default.contentsOfDirectory(atPath: "\(root.path)/build-cache").isEmpty)
        // Labels choose the containers; the build cache, as Docker's, ignores them and goes.
        let pruned = try root.cell("system", "prune", "-f", "--filter", "label=a")
        #expect(pruned.status == 0 && pruned.stdout.hasPrefix("Deleted Containers:\n\(labelled)\n\nDeleted build cache objects:\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/build-cache").isEmpty)
        #expect(try root.cell("ps", "-a", "--format", "{{.Names}}").stdout == "unlabelled\n")

        // Its first prune, of containers, judges the filters: dangling= is the image prune's alone.
        let dangling = try root.cell("system", "prune", "-f", "--filter", "dangling=true")
        #expect(dangling.status == 1 && dangling.stderr == "Error response from daemon: invalid filter 'dangling'\n")
        try root.cell("rm", "unlabelled").expectSuccess()
        try expectNothingLeft(root)
    }
}
