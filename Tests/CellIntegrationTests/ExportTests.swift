import Foundation
import Testing

/// `cell export`: the container's file system as a tar, to -o FILE or a pipe, never a terminal.
@Suite struct ExportTests {
    @Test func exportsTheFileSystemWithoutMountsAsDockerDoes() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "--name", "stopped", "busybox", "sh", "-c",
                      "echo hi > /tmp/added; rm /bin/ls; ln -s /dev/sda /tmp/disk").expectSuccess()
        let cell = "\(Paths.cell)"
        let piped = try Command.shell("CELL_ROOT=\(root.path) \(cell) export stopped | tar -tv")
        try piped.expectSuccess()
        let listing = piped.lines
        #expect(listing.contains { $0.hasSuffix(" tmp/added") })
        #expect(listing.contains { $0.hasPrefix("l") && $0.hasSuffix(" tmp/disk -> /dev/sda") }, "a link is archived, not followed")
        #expect(!listing.contains { $0.hasSuffix(" bin/ls") }, "a deleted file is gone")
        #expect(listing.contains { $0.contains(" bin/sh") })

        try root.cell("run", "-d", "--name", "live", "busybox", "sleep", "60").expectSuccess()
        let file = root.file("live.tar")
        let written = try root.cell("container", "export", "-o", file, "live")
        #expect(written.status == 0 && written.stdout.isEmpty)
        let names = try Command.run("/bin/tar", ["-tf", file]).lines
        #expect(names.contains("bin/sh") && names.contains("proc/"))
        #expect(!names.contains { $0.hasPrefix("proc/") && $0 != "proc/" }, "the container's mounts are not exported")

        let terminal = try Command.run("/usr/bin/script", ["-qec", "CELL_ROOT=\(root.path) \(cell) export stopped", "/dev/null"])
        #expect(terminal.status == 1)
        #expect(terminal.stdout.contains("cowardly refusing to save to a terminal. Use the -o flag or redirect"))

        let missing = try root.cell("export", "-o", root.file("x.tar"), "x")
        #expect(missing.status == 1)
        #expect(missing.stderr == "Error response from daemon: No such container: x\n")
        #expect(!FileManager.default.fileExists(atPath: root.file("x.tar")), "a failed export leaves no file")
        try root.cell("rm", "-f", "stopped", "live").expectSuccess()
        try expectNothingLeft(root)
    }
}
