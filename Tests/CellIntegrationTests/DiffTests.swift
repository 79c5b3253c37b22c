import Foundation
import Testing

/// `cell diff`: Docker's A/C/D lines against the image, running or stopped.
@Suite struct DiffTests {
    @Test func listsAdditionsChangesAndDeletionsAsDockerDoes() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let fresh = try root.cell("create", "--name", "fresh", "busybox", "true")
        try fresh.expectSuccess()
        let untouched = try root.cell("diff", "fresh")
        #expect(untouched.status == 0 && untouched.stdout.isEmpty, "the mount-point stubs are not changes")

        try root.cell("run", "--name", "changed", "busybox", "sh", "-c",
                      "mkdir -p /tmp/new/deep && touch /tmp/new/deep/file && rm /bin/ls && echo x >> /etc/passwd && ln -s /dev/sda /tmp/disk").expectSuccess()
        let diff = try root.cell("diff", "changed")
        #expect(diff.status == 0)
        #expect(diff.lines == ["C /bin", "D /bin/ls", "C /etc", "C /etc/passwd", "C /tmp", "A /tmp/disk", "A /tmp/new", "A /tmp/new/deep",
                               "A /tmp/new/deep/file"])
        #expect(try root.cell("container", "diff", "changed").lines == diff.lines)

        // A running container is read as it is.
        try root.cell("run", "-d", "--name", "live", "busybox", "sh", "-c", "touch /root/mark; sleep 60").expectSuccess()
        #expect(try waitUntil { try root.cell("diff", "live").lines == ["C /root", "A /root/mark"] })

        let missing = try root.cell("diff", "x")
        #expect(missing.status == 1)
        #expect(missing.stderr == "Error response from daemon: No such container: x\n")
        try root.cell("rm", "-f", "fresh", "changed", "live").expectSuccess()
        try expectNothingLeft(root)
    }
}
