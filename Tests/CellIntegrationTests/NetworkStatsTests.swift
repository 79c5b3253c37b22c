import Foundation
import Testing

@Suite("stats: NET I/O")
struct NetworkStatsTests {
    /// Bytes a client sends to a published port cross the container's network (its loopback:
    /// the proxy connects inside its namespace) and show in NET I/O, as Docker formats it; host and none
    /// networks are nobody's to count, 0B / 0B as in Docker.
    @Test func netIOCountsWhatThePublishedPortCarries() throws {
        let root = try CellRoot()
        try root.importBusybox()
        defer { _ = try? root.cell("rm", "-f", "sink", "onhost", "isolated") }
        try root.cell("run", "-d", "--name", "sink", "-p", "127.0.0.1::80", "busybox",
                      "sh", "-c", "while true; do nc -l -p 80 >/dev/null; done").expectSuccess()
        try root.cell("run", "-d", "--name", "onhost", "--network", "host", "busybox", "sleep", "1000").expectSuccess()
        try root.cell("run", "-d", "--name", "isolated", "--network", "none", "busybox", "sleep", "1000").expectSuccess()
        func netIO(_ name: String) throws -> String {
            try root.cell("stats", "--no-stream", "--format", "{{.NetIO}}", name).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // Its veth may have seen a packet of the bridge's as it came up: little beside 50000 bytes.
        let before = try netIO("sink")
        #expect(NetworkStatsTests.bytes(before.components(separatedBy: " / ").first ?? "") < 2000, "nothing crossed it yet: \(before)")
        let hostPort = try #require(try root.cell("port", "sink", "80").stdout.split(separator: ":").last.map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines)
        })

        // 50000 bytes, again until the server was listening when one arrived (the proxy takes the
        // client's connection either way).
        let send = "import socket,sys; s=socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5); s.sendall(b'x' * 50000); s.close()"
        var shown = ""
        #expect(try waitUntil(timeout: 20) {
            _ = try Command.run("/usr/bin/python3", ["-c", send, hostPort])
            shown = try netIO("sink")
            return NetworkStatsTests.bytes(shown.components(separatedBy: " / ").first ?? "") >= 50000
        }, "NET I/O grew: \(shown)")
        // Docker's form: go-units' sizes with 3 significant digits (`51.2kB / 51.2kB`).
        #expect(shown.range(of: #"^[0-9]+(\.[0-9]+)?(B|kB|MB) / [0-9]+(\.[0-9]+)?(B|kB|MB)$"#, options: .regularExpression) != nil, "\(shown)")
        #expect(try netIO("onhost") == "0B / 0B")
        #expect(try netIO("isolated") == "0B / 0B")
        #expect(try root.cell("stats", "--no-stream", "--format", "{{json .}}", "onhost").stdout.contains("\"NetIO\":\"0B / 0B\""))
        try root.cell("rm", "-f", "sink", "onhost", "isolated").expectSuccess()
        try expectNothingLeft(root)
    }

    /// `51.2kB` → 51200: the size a NET I/O half stands for.
    static func bytes(_ text: String) -> Double {
        let units: [(String, Double)] = [("MB", 1e6), ("kB", 1e3), ("B", 1)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            return (Double(text.dropLast(unit.count)) ?? 0) * scale
        }
        return 0
    }
}
