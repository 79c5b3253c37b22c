import Foundation
import Testing

/// The service keeps decoded container records between requests (`ContainerRecordCache`): what
/// the CLI changes meanwhile, by rewriting a record or removing it, is listed at once all the same.
@Suite(.enabled(if: EngineService.hasDockerCLI, "needs the docker CLI at /usr/local/bin/docker"))
struct EngineAPIListingTests {
    @Test func listingsSeeTheCLIsChangesAtOnce() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        func listed() throws -> String {
            try service.docker("ps", "-a", "--format", "{{.Names}} {{.Label \"tier\"}} {{.Status}}").stdout
        }

        try root.cell("create", "--name", "first", "--label", "tier=web", "busybox", "true").expectSuccess()
        #expect(try listed() == "first web Created\n")
        try root.cell("rename", "first", "second").expectSuccess()
        #expect(try listed() == "second web Created\n")
        try root.cell("run", "--name", "third", "busybox", "true").expectSuccess()
        let both = try listed()
        #expect(both.hasPrefix("third  Exited (0) ") && both.hasSuffix("\nsecond web Created\n"), "\(both)")
        try root.cell("rm", "second").expectSuccess()
        #expect(try listed().hasPrefix("third  Exited (0) "))
        try root.cell("rm", "third").expectSuccess()
        #expect(try listed() == "")
        try expectNothingLeft(root)
    }
}
