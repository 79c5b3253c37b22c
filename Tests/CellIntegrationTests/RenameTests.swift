import Foundation
import Testing

/// `cell rename`: Docker's output and exit codes, and a store that a kill -9 between the steps
/// of a rename leaves consistent.
@Suite struct RenameTests {
    @Test func renamesAndRefusesAsDockerDoes() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let id = try root.cell("create", "--name", "first", "busybox", "true").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try root.cell("create", "--name", "taken", "busybox", "true").expectSuccess()
        let takenID = try root.cell("inspect", "-f", "{{.Id}}", "taken").stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let renamed = try root.cell("rename", "first", "second")
        #expect(renamed.status == 0 && renamed.stdout.isEmpty && renamed.stderr.isEmpty)
        #expect(try root.cell("inspect", "-f", "{{.Name}} {{.Id}}", "second").stdout == "/second \(id)\n")
        let gone = try root.cell("inspect", "first")
        #expect(gone.status == 1)
        #expect(try root.cell("container", "rename", "second", "third").status == 0)

        let conflict = try root.cell("rename", "third", "taken")
        #expect(conflict.status == 1)
        #expect(conflict.stderr == """
            Error response from daemon: Error when allocating new name: Conflict. The container name "/taken" is already in use by container "\(takenID)". You have to remove (or rename) that container to be able to reuse that name.
            Error: failed to rename container named third

            """)
        let invalid = try root.cell("rename", "third", "no/slash")
        #expect(invalid.status == 1)
        #expect(invalid.stderr == """
            Error response from daemon: Error when allocating new name: Invalid container name (/no/slash), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed
            Error: failed to rename container named third

            """)
        let same = try root.cell("rename", "third", "third")
        #expect(same.status == 1)
        #expect(same.stderr == "Error response from daemon: Renaming a container with the same name as its current name\nError: failed to rename container named third\n")
        let missing = try root.cell("rename", "x", "y")
        #expect(missing.status == 1)
        #expect(missing.stderr == "Error response from daemon: No such container: x\nError: failed to rename container named x\n")
        let usage = try root.cell("rename", "third")
        #expect(usage.status != 0)

        try root.cell("rm", "third", "taken").expectSuccess()
        try expectNothingLeft(root)
    }

    /// The states a kill -9 can leave: the new name linked before the record changed, or the
    /// old name still linked after it did. The record wins; the stale link names nothing.
    @Test func aRenameKilledHalfwayLeavesTheRecordInCharge() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let id = try root.cell("create", "--name", "kept", "busybox", "true").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let names = "\(root.path)/container-names"
        // Killed after linking the new name: the record still says "kept".
        try FileManager.default.createSymbolicLink(atPath: "\(names)/halfway", withDestinationPath: id)
        #expect(try root.cell("inspect", "halfway").status == 1)
        #expect(try root.cell("inspect", "-f", "{{.Name}}", "kept").stdout == "/kept\n")
        try root.cell("create", "--name", "halfway", "busybox", "true").expectSuccess()
        try root.cell("rm", "halfway").expectSuccess()
        // Killed after rewriting the record, before unlinking the old name.
        try root.cell("rename", "kept", "renamed").expectSuccess()
        try FileManager.default.createSymbolicLink(atPath: "\(names)/kept", withDestinationPath: id)
        #expect(try root.cell("inspect", "kept").status == 1)
        #expect(try root.cell("ps", "-a", "--format", "{{.Names}}").stdout == "renamed\n")
        try root.cell("rename", "renamed", "kept").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.Name}}", "kept").stdout == "/kept\n")
        try root.cell("rm", "kept").expectSuccess()
        try expectNothingLeft(root)
    }
}
