import Foundation
import Testing

/// `run` and `create` flags a Docker user types in the first week, with Docker's results.
@Suite("run flags: --dns, --dns-search, --dns-option, --cidfile")
struct RunFlagsTests {
    @Test func dnsFlagsReplaceTheirLinesOfResolvConf() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let run = try root.cell("run", "--rm", "--dns", "10.0.0.53", "--dns", "2001:db8::1", "--dns-search", "example.test",
                                "--dns-option", "ndots:2", "busybox", "cat", "/etc/resolv.conf")
        #expect(run.stdout == "nameserver 10.0.0.53\nnameserver 2001:db8::1\nsearch example.test\noptions ndots:2\n", "\(run.stderr)")
        // `.` as the search domain means none.
        let none = try root.cell("run", "--rm", "--dns", "10.0.0.53", "--dns-search", ".", "busybox", "grep", "-c", "^search", "/etc/resolv.conf")
        #expect(none.stdout == "0\n")
        let id = try root.cell("create", "--dns", "10.0.0.53", "--dns-opt", "rotate", "busybox").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try root.cell("inspect", "-f", "{{json .HostConfig.Dns}} {{json .HostConfig.DnsOptions}} {{json .HostConfig.DnsSearch}}", id).stdout
                    == "[\"10.0.0.53\"] [\"rotate\"] []\n")
        let bad = try root.cell("run", "--rm", "--dns", "bogus", "busybox", "true")
        #expect(bad.status == 125 && bad.stderr == """
            invalid argument "bogus" for "--dns" flag: IP address is not correctly formatted: bogus

            Usage:  cell run [OPTIONS] IMAGE [COMMAND] [ARG...]

            Run 'cell run --help' for more information

            """, "\(bad.stderr)")
        try root.cell("rm", id).expectSuccess()
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    @Test func cidfileGetsTheIDAndIsNeverShared() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let cidfile = root.file("cid")
        let id = try root.cell("create", "--cidfile", cidfile, "busybox", "true").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try String(contentsOfFile: cidfile, encoding: .utf8) == id)
        let again = try root.cell("run", "--cidfile", cidfile, "busybox", "true")
        #expect(again.status == 125 && again.stderr.hasPrefix("cell: container ID file found, make sure the other container isn't running or delete \(cidfile)\n"))
        #expect(try root.cell("ps", "-aq").lines.count == 1, "a refused cidfile creates no container")
        // A creation that fails leaves no file behind.
        let failed = root.file("failed-cid")
        #expect(try root.cell("run", "--cidfile", failed, "no-such-image").status == 125)
        #expect(!FileManager.default.fileExists(atPath: failed))
        try root.cell("rm", id).expectSuccess()
        try expectNothingLeft(root)
    }
}
