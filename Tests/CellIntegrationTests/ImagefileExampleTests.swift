import Foundation
import Testing

/// The examples in Imagefiles/ build and do what they say.
@Suite("Imagefiles/: the examples build and run")
struct ImagefileExampleTests {
    static var examples: String { Paths.packageRoot + "/Imagefiles" }

    @Test func webappServesItsSiteOnAPublishedPort() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("build", "-q", "-t", "training/webapp", "\(ImagefileExampleTests.examples)/webapp").expectSuccess()
        try root.cell("run", "-d", "-P", "--name", "web", "training/webapp").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "web") }
        let port = try root.cell("port", "web", "5000").stdout
        let hostPort = port.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        var page = ""
        #expect(waitUntil {
            page = (try? Command.run("/usr/bin/python3", ["-c", "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:\(hostPort)/', timeout=2).read().decode())"]).stdout) ?? ""
            return !page.isEmpty
        })
        #expect(page.contains("<h1>Hello world!</h1>"))
        #expect(try root.cell("exec", "web", "id", "-un").stdout == "www\n")
        #expect(try root.cell("inspect", "-f", "{{json .Config.Healthcheck.Test}}", "training/webapp").stdout
                    == "[\"CMD-SHELL\",\"wget -qO- http://127.0.0.1:5000/ >/dev/null || exit 1\"]\n")
        try root.cell("rm", "-f", "web").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func multistageKeepsOnlyTheResult() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("build", "-q", "-t", "site", "--build-arg", "TITLE=From the test", "\(ImagefileExampleTests.examples)/multistage").expectSuccess()
        #expect(try root.cell("run", "--rm", "site", "cat", "/www/index.html").stdout == "<h1>From the test</h1>\n")
        #expect(try root.cell("run", "--rm", "site", "ls", "/tmp").stdout.isEmpty, "the archive is gone")
        try expectNothingLeft(root)
    }

    static let debianFixture = "/var/cache/cell-fixtures/debian-bookworm-python3.tar"

    @Test(.enabled(if: FileManager.default.fileExists(atPath: debianFixture),
                   "the Debian fixture is not built on this machine: run rootfs-fixtures/debian.sh (debootstrap, minutes, once)"))
    func testbedHasPythonSudoAndItsUser() throws {
        let root = try CellRoot()
        try root.cell(["import", "-c", "CMD [\"bash\"]", ImagefileExampleTests.debianFixture, "cell-fixtures/debian:bookworm"]).expectSuccess()
        try root.cell("build", "-q", "-t", "testbed", "\(ImagefileExampleTests.examples)/testbed").expectSuccess()
        let check = try root.cell("run", "--rm", "-u", "tester", "testbed", "sh", "-c", "python3 -c 'print(6*7)'; sudo -n id -u")
        #expect(check.stdout == "42\n0\n", "\(check.stderr)")
        try expectNothingLeft(root)
    }
}
