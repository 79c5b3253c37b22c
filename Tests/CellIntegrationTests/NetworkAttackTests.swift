import Foundation
import Testing

/// Bridge networks as an attacker meets them: a hostile user of the CLI, a hostile client of the
/// Engine API, a hostile process inside a container. Each test has a store of its own and
/// subnets in 10.230.0.0/16–10.239.0.0/16 (other suites take the rest of 10.2xx at the same time).
@Suite("network attacks")
struct NetworkAttackTests {
    static func post(_ path: String, _ body: String) -> String {
        "POST \(path) HTTP/1.1\r\nHost: cell\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// `--network-alias` words become words of every peer's /etc/hosts: one with a newline or a
    /// space would add lines there (`6.6.6.6 victim`). Each is refused in one line, with exit
    /// 125 and nothing made; over the API with a 400. And an alias that is another container's
    /// name never answers for it: names come first in the hosts files.
    @Test func aliasesCannotWriteIntoThePeersHostsFiles() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("network", "create", "--subnet", "10.230.0.0/24", "names").expectSuccess()
        try root.cell("run", "-d", "--name", "db", "--network", "names", "busybox",
                      "sh", "-c", "echo real > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        let hostile = ["x\n6.6.6.6 victim", "x 6.6.6.6", "x\tvictim", "x\r", "", "-x", ".hidden", "../x", "x/y", "caf\u{e9}",
                       String(repeating: "a", count: 254)]
        for alias in hostile {
            // `--network-alias=-x`: a word with a dash first would be read as an option.
            let flag = alias.hasPrefix("-") ? ["--network-alias=" + alias] : ["--network-alias", alias]
            let refused = try root.cell(["create", "--network", "names", "--network-alias", "ok"] + flag + ["busybox"])
            #expect(refused.status == 125, "\(alias.debugDescription): exit \(refused.status) \(refused.stdout)")
            #expect(refused.stderr.hasPrefix("Error: invalid network alias \"") && refused.stderr.split(separator: "\n").count == 1,
                    "one line: \(refused.stderr.debugDescription)")
        }
        #expect(try root.cell("ps", "-aq").lines.count == 1, "nothing made")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/networks/names/addresses") == ["10.230.0.2"],
                "no address kept by a refused creation")

        let service = try EngineService(root: root)
        let body = #"{"Image":"busybox","HostConfig":{"NetworkMode":"names"},"NetworkingConfig":{"EndpointsConfig":{"names":{"Aliases":["x\n6.6.6.6 victim"]}}}}"#
        let answer = try service.request(NetworkAttackTests.post("/containers/create", body))
        #expect(answer.status == 400 && answer.message?.hasPrefix("invalid network alias") == true, "\(answer.status) \(answer.body)")
        #expect(try root.cell("ps", "-aq").lines.count == 1)
        #expect(try !root.cell("exec", "db", "cat", "/etc/hosts").stdout.contains("victim"))

        // "aa" sorts before "db": its alias line would come first and win, were names not first.
        try root.cell("run", "-d", "--name", "aa", "--network", "names", "--network-alias", "db", "--network-alias", "cache",
                      "busybox", "sh", "-c", "echo impostor > /tmp/index.html; exec httpd -f -p 80 -h /tmp").expectSuccess()
        let fetched = try root.cell("run", "--rm", "--init", "--network", "names", "busybox", "sh", "-c",
                                    "timeout 5 wget -qO- http://db/ && timeout 5 wget -qO- http://cache/")
        #expect(fetched.stdout == "real\nimpostor\n", "the name is its container's, the alias still works: \(fetched.stderr)")
    }
}
