import Foundation
import Testing

/// The quick path for `run`, `create` and `exec` (QuickCommandLine) makes what ArgumentParser
/// makes of the same command line: each line is run both ways (`CELL_QUICK_PARSE=0` forces
/// ArgumentParser) and the containers' inspect output compared. The lines of the first test
/// are all the quick path's (its trace says so); the last test's are all ArgumentParser's.
@Suite("the quick command line: the same containers as ArgumentParser's")
struct QuickCommandLineTests {
    /// Each `create` line's container, inspected: its Config (but for the hostname that
    /// defaults to its id, and its variable), HostConfig, Path and Args.
    static func made(_ root: CellRoot, _ arguments: [String], quick: Bool) throws -> NSDictionary {
        let created = try root.cell(["create"] + arguments, environment: ["CELL_TRACE": "1", "CELL_QUICK_PARSE": quick ? "1" : "0"])
        try created.expectSuccess()
        #expect(created.stderr.contains("cell: arguments parsed (quick path)") == quick, "\(arguments), quick: \(quick)")
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let inspected = try root.cell("inspect", id)
        try root.cell("rm", "-v", id).expectSuccess()
        let list = try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [[String: Any]]
        var object = list?.first ?? [:]
        var config = object["Config"] as? [String: Any] ?? [:]
        if !arguments.contains(where: { $0 == "-h" || $0.hasPrefix("--hostname") }) {
            config["Hostname"] = nil
            config["Env"] = (config["Env"] as? [String])?.filter { !$0.hasPrefix("HOSTNAME=") }
        }
        object = ["Config": config, "HostConfig": object["HostConfig"] ?? [:], "Path": object["Path"] ?? "", "Args": object["Args"] ?? []]
        return object as NSDictionary
    }

    @Test(arguments: [
        ["busybox"],
        ["--rm", "-i", "-t", "busybox", "sh", "-c", "echo hi", "--rm"],
        ["-it", "--rm", "busybox"],
        ["-ti", "-e", "A=1", "--env=B=2", "-e", "HOME", "--workdir=/srv", "-u", "1000:1000", "busybox", "id"],
        ["-w", "/tmp", "--user=0", "--tty", "--interactive", "--publish-all", "busybox"],
        ["-h", "host1", "-l", "k=v", "--label=x=y", "--label", "z", "busybox"],
        ["-P", "-p", "8080:80", "--publish=127.0.0.1::53/udp", "busybox"],
        ["--network", "none", "busybox"],
        ["--net=host", "--hostname=shared", "busybox"],
        ["-v", "/tmp:/data:ro", "--volume=/etc:/hostetc", "--volume", "/anon", "--read-only", "--init", "--privileged", "busybox"],
        ["--entrypoint", "/bin/sh", "busybox", "-c", "true"],
        ["--entrypoint=echo", "--name", "named", "busybox"],
    ])
    func createMakesTheSameContainerEitherWay(_ arguments: [String]) throws {
        let root = try CellRoot()
        try root.importBusybox()
        let quick = try Self.made(root, arguments, quick: true)
        let full = try Self.made(root, arguments, quick: false)
        let differing = ["Config", "HostConfig", "Path", "Args"].filter { (quick[$0] as? NSObject) != (full[$0] as? NSObject) }
        #expect(differing.isEmpty, "\(arguments): \(differing.map { "\($0): quick \(quick[$0] ?? "-") full \(full[$0] ?? "-")" })")
        #expect(quick.count == 4)
        try expectNothingLeft(root)
    }

    @Test func runAndExecGiveTheSameOutputEitherWay() throws {
        let root = try CellRoot()
        try root.importBusybox()
        for quick in [true, false] {
            let environment = quick ? [:] : ["CELL_QUICK_PARSE": "0"]
            let ran = try root.cell(["run", "--rm", "-e", "A=1", "-w", "/tmp", "-u", "1000", "busybox", "sh", "-c", "echo $A $(pwd) $(id -u)"],
                                    environment: environment)
            #expect(ran.stdout == "1 /tmp 1000\n", "quick: \(quick)")
            // The container's command is its own, whatever it looks like to a parser (the full
            // parser gets a `--` before the image: ShortOptionValues).
            let odd = try root.cell(["run", "--rm", "busybox", "echo", "---", "--help", "--generate-completion-script", "bash"],
                                    environment: environment)
            #expect(odd.stdout == "--- --help --generate-completion-script bash\n", "quick: \(quick)")
            let detached = try root.cell(["run", "-d", "--name", "qc", "busybox", "sleep", "1000"], environment: environment)
            try detached.expectSuccess()
            #expect(detached.stdout.count == 65, "the id and a newline")
            let executed = try root.cell(["exec", "-e", "B=2", "--env=C=3", "-w", "/etc", "-u", "1000:1000", "qc", "sh", "-c", "echo $B$C $(pwd) $(id -u):$(id -g)"],
                                         environment: environment)
            #expect(executed.stdout == "23 /etc 1000:1000\n", "quick: \(quick)")
            let oddExec = try root.cell(["exec", "qc", "echo", "---", "--help"], environment: environment)
            #expect(oddExec.stdout == "--- --help\n", "quick: \(quick)")
            let status = try root.cell(["exec", "qc", "sh", "-c", "exit 7"], environment: environment)
            #expect(status.status == 7)
            let background = try root.cell(["exec", "-d", "qc", "touch", "/made"], environment: environment)
            try background.expectSuccess()
            #expect(waitUntil { (try? root.cell("exec", "qc", "test", "-e", "/made").status) == 0 })
            try root.cell("rm", "-f", "qc").expectSuccess()
        }
        try expectNothingLeft(root)
    }

    /// Lines the quick path leaves alone get ArgumentParser's answers, word for word.
    @Test(arguments: [
        ["run", "--rm"],
        ["run", "--rm", "--rm", "busybox", "true"],
        ["run", "--name", "--rm", "busybox"],
        ["create", "-d", "busybox"],
        ["run", "--bogus", "busybox"],
        ["exec", "qc"],
        ["exec", "-it=1", "qc", "true"],
        ["run", "--help"],
    ])
    func linesItLeavesGetArgumentParsersAnswers(_ arguments: [String]) throws {
        let root = try CellRoot()
        try root.importBusybox()
        let quick = try root.cell(arguments)
        let full = try root.cell(arguments, environment: ["CELL_QUICK_PARSE": "0"])
        #expect(quick.status == full.status, "\(arguments)")
        #expect(quick.stdout == full.stdout, "\(arguments)")
        #expect(quick.stderr == full.stderr, "\(arguments)")
    }
}
