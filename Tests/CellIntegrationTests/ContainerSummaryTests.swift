import Foundation
import Testing

/// `ps` reads each container's `summary` (the listing's fields in the record format) instead of
/// decoding its config.json: what it shows must be what the record says, whatever happened to
/// the summary.
@Suite("containers: ps summaries")
struct ContainerSummaryTests {
    static let format = "{{.ID}}|{{.Image}}|{{.Command}}|{{.Status}}|{{.Ports}}|{{.Names}}|{{.Labels}}|{{.Networks}}|{{.Mounts}}|{{.State}}"

    func listing(_ root: CellRoot) throws -> [String] {
        try root.cell("ps", "-a", "--no-trunc", "--format", ContainerSummaryTests.format).lines.sorted()
    }

    func summaries(_ root: CellRoot) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/containers").filter { !$0.hasPrefix(".") }
            .map { "\(root.path)/containers/\($0)/summary" }
    }

    @Test func theListingIsTheRecordsWithOrWithoutSummaries() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("network", "create", "backend").expectSuccess()
        try root.cell("run", "-d", "--name", "web", "-l", "tier=front", "-l", "owner=ops", "-p", "127.0.0.1::80", "--expose", "9000",
                      "--network", "backend", "--health-cmd", "true", "-v", "\(root.scratch):/data:ro", "busybox", "sleep", "1000").expectSuccess()
        try root.cell("create", "--name", "idle", "--network", "none", "busybox", "echo", "a b").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "web", "idle") }
        let shown = try listing(root)
        #expect(shown.count == 2 && shown.contains { $0.contains("|web|") && $0.contains("owner=ops,tier=front") && $0.contains("127.0.0.1:") }, "\(shown)")
        // Without summaries (records of an older cell): the same, from config.json.
        for summary in try summaries(root) { try FileManager.default.moveItem(atPath: summary, toPath: summary + ".aside") }
        #expect(try listing(root) == shown)
        for summary in try summaries(root) { try FileManager.default.moveItem(atPath: summary + ".aside", toPath: summary) }

        // A summary left from before a record changed (a crash between the two writes) is not
        // believed: ps shows the record's new name.
        let id = try root.cell("inspect", "-f", "{{.Id}}", "idle").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let summary = "\(root.path)/containers/\(id)/summary"
        let before = try Data(contentsOf: URL(fileURLWithPath: summary))
        try root.cell("rename", "idle", "renamed").expectSuccess()
        try before.write(to: URL(fileURLWithPath: summary))
        #expect(try root.cell("ps", "-a", "--filter", "id=\(id)", "--format", "{{.Names}}").stdout == "renamed\n")
        // A summary that is garbage is passed over too.
        try Data("cell-container-summary\u{0}1\u{0}2\u{0}".utf8).write(to: URL(fileURLWithPath: summary))
        #expect(try root.cell("ps", "-a", "--filter", "id=\(id)", "--format", "{{.Names}} {{.Command}}").stdout == "renamed \"echo a b\"\n")
        try root.cell("rm", "-f", "web", "renamed").expectSuccess()
        try root.cell("network", "rm", "backend").expectSuccess()
        try expectNothingLeft(root)
    }
}
