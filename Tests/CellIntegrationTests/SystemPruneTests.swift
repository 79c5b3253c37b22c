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
