import Foundation
import Testing

/// `run` and `create` flags a Docker user types in the first week, with Docker's results.
@Suite("run flags: --dns*, --cidfile, --mount, --pid, --ipc, --uts (host and container:), build -")
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

    /// `--mount` for binds and tmpfs, with Docker's keys; a bind's source must exist (Docker makes
    /// none for --mount), and read-only is recursive unless `bind-recursive=writable` says otherwise.
    @Test func mountFlagBindsAndTmpfs() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let source = root.file("source")
        try FileManager.default.createDirectory(atPath: "\(source)/sub", withIntermediateDirectories: true)
        try "hi\n".write(toFile: "\(source)/file", atomically: true, encoding: .utf8)
        try Command.run("/bin/mount", ["-t", "tmpfs", "tmpfs", "\(source)/sub"]).expectSuccess()
        defer { _ = try? Command.run("/bin/umount", ["\(source)/sub"]) }
        let probe = "cat /m/file; touch /m/x 2>/dev/null && echo top-writable; touch /m/sub/x 2>/dev/null && echo sub-writable; echo done"
        let readOnly = try root.cell("run", "--rm", "--mount", "type=bind,source=\(source),target=/m,readonly", "busybox", "sh", "-c", probe)
        #expect(readOnly.stdout == "hi\ndone\n", "\(readOnly.stderr)")
        let topOnly = try root.cell("run", "--rm", "--mount", "type=bind,src=\(source),dst=/m,ro=true,bind-recursive=writable",
                                    "busybox", "sh", "-c", probe)
        #expect(topOnly.stdout == "hi\nsub-writable\ndone\n", "\(topOnly.stderr)")
        let writable = try root.cell("run", "--rm", "--mount", "type=bind,source=\(source),destination=/m", "busybox", "sh", "-c", probe)
        #expect(writable.stdout == "hi\ntop-writable\nsub-writable\ndone\n", "\(writable.stderr)")
        let tmpfs = try root.cell("run", "--rm", "--mount", "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770", "busybox", "stat", "-c", "%a", "/t")
        #expect(tmpfs.stdout == "1770\n", "\(tmpfs.stderr)")
        for (mount, message) in [
            ("type=bind,source=\(root.file("missing")),target=/x", "Error: invalid mount config for type \"bind\": bind source path does not exist: \(root.file("missing"))\n"),
            ("type=bind,target=/x", "Error: invalid mount config for type \"bind\": field Source must not be empty\n"),
            ("type=bind,source=\(source),target=/proc", "proc"),
            ("type=bind,source=\(source),target=/x,bogus=1", "invalid argument"),
        ] {
            let refused = try root.cell("run", "--rm", "--mount", mount, "busybox", "true")
            #expect(refused.status == 125 && refused.stderr.contains(message), "\(mount): \(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: root.file("missing")), "--mount creates no source")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try Command.run("/bin/umount", ["\(source)/sub"]).expectSuccess()
        try expectNothingLeft(root)
    }

    /// `build -` (the Imagefile on stdin, no context) and `build -f - PATH` (on stdin, with PATH's).
    @Test func buildTakesTheImagefileFromStandardInput() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let alone = try root.cell(["build", "-q", "-t", "piped", "-"], stdin: Data("FROM busybox\nRUN echo piped > /made\n".utf8))
        #expect(alone.status == 0, "\(alone.stderr)")
        #expect(try root.cell("run", "--rm", "piped", "cat", "/made").stdout == "piped\n")
        let noContext = try root.cell(["build", "-q", "-"], stdin: Data("FROM busybox\nCOPY note /note\n".utf8))
        #expect(noContext.status == 1 && noContext.stderr.contains("COPY failed"), "\(noContext.stderr)")
        let context = root.file("context")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "from the context\n".write(toFile: "\(context)/note", atomically: true, encoding: .utf8)
        let withContext = try root.cell(["build", "-q", "-t", "piped:2", "-f", "-", context], stdin: Data("FROM busybox\nCOPY note /note\n".utf8))
        #expect(withContext.status == 0, "\(withContext.stderr)")
        #expect(try root.cell("run", "--rm", "piped:2", "cat", "/note").stdout == "from the context\n")
        try expectNothingLeft(root)
    }

    /// `--pid host`, `--ipc host`, `--uts host`: the host's namespace instead of the container's own.
    @Test func hostNamespacesAreSharedWhenAsked() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let ours = getpid()
        #expect(try root.cell("run", "--rm", "--pid", "host", "busybox", "test", "-d", "/proc/\(ours)").status == 0, "the host's processes show")
        #expect(try root.cell("run", "--rm", "busybox", "test", "-d", "/proc/\(ours)").status == 1)
        let hostName = try String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8)
        #expect(try root.cell("run", "--rm", "--uts", "host", "busybox", "hostname").stdout == hostName)
        let hostIPC = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/ipc") + "\n"
        #expect(try root.cell("run", "--rm", "--ipc", "host", "busybox", "readlink", "/proc/self/ns/ipc").stdout == hostIPC)
        #expect(try root.cell("run", "--rm", "--ipc", "shareable", "busybox", "readlink", "/proc/self/ns/ipc").stdout != hostIPC)
        let id = try root.cell("create", "--pid", "host", "--uts", "host", "busybox", "true").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}}", id).stdout == "host private host\n")
        for (flags, message) in [(["--pid", "container:"], "cell: --pid: invalid PID mode\n\nRun 'cell run --help' for more information\n"),
                                 (["--pid", "bogus"], "cell: --pid: invalid PID mode\n\nRun 'cell run --help' for more information\n"),
                                 (["--uts", "container:x"], "cell: --uts: invalid UTS mode\n\nRun 'cell run --help' for more information\n"),
                                 (["--ipc", "bogus"], "Error: invalid IPC mode: bogus\n"),
                                 (["--ipc", "host", "--sysctl", "kernel.shmmax=1000"], "Error: sysctl \"kernel.shmmax\" is not allowed in host IPC namespace\n")] {
            let refused = try root.cell(["run", "--rm"] + flags + ["busybox", "true"])
            #expect(refused.status == 125 && refused.stderr == message, "\(flags): \(refused.stderr)")
        }
        try root.cell("rm", id).expectSuccess()
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    /// `--pid container:NAME` and `--ipc container:NAME`: another container's namespace,
    /// looked up at each start; IPC only from a donor that opted in (`--ipc shareable`).
    @Test func anotherContainersNamespacesAreJoined() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "donor", "--ipc", "shareable", "busybox", "sleep", "1000").expectSuccess()
        try root.cell("run", "-d", "--name", "private", "busybox", "sleep", "1001").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "donor", "private", "joiner") }
        func namespace(_ kind: String, of name: String) throws -> String {
            let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", name).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/\(kind)")
        }
        let processes = try root.cell("run", "--rm", "--pid", "container:donor", "busybox", "ps", "-o", "pid,args")
        #expect(processes.stdout == "PID   COMMAND\n    1 sleep 1000\n    2 ps -o pid,args\n", "\(processes.stderr)")
        let ipc = try root.cell("run", "--rm", "--ipc", "container:donor", "busybox", "readlink", "/proc/self/ns/ipc")
        #expect(ipc.stdout == (try namespace("ipc", of: "donor")) + "\n", "\(ipc.stderr)")

        // Looked up at each start: a restarted donor is followed.
        try root.cell("create", "--name", "joiner", "--pid", "container:donor", "--ipc", "container:donor", "busybox", "sleep", "1002").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}}", "joiner").stdout == "container:donor container:donor\n")
        try root.cell("start", "joiner").expectSuccess()
        #expect(try namespace("pid", of: "joiner") == (try namespace("pid", of: "donor")))
        // The donor's pid 1 takes its pid namespace, and the joiner, with it.
        try root.cell("stop", "-t0", "donor").expectSuccess()
        #expect(try waitUntil { try root.cell("inspect", "-f", "{{.State.Running}}", "joiner").stdout == "false\n" })
        let refused = try root.cell("start", "joiner")
        #expect(refused.status == 1)
        #expect(refused.stderr == "Error response from daemon: failed to join PID namespace: container donor is not running\n")
        try root.cell("start", "donor").expectSuccess()
        try root.cell("start", "joiner").expectSuccess()
        #expect(try namespace("pid", of: "joiner") == (try namespace("pid", of: "donor")))
        #expect(try namespace("ipc", of: "joiner") == (try namespace("ipc", of: "donor")))

        for (flags, message) in [(["--ipc", "container:private"], "Error: failed to join IPC namespace: container private: non-shareable IPC (hint: use IpcMode:shareable for the donor container)\n"),
                                 (["--pid", "container:nosuch"], "Error: failed to join PID namespace: No such container: nosuch\n"),
                                 (["--ipc", "container:donor", "--sysctl", "kernel.shmmax=1000"], "Error: sysctl \"kernel.shmmax\" is not allowed in host IPC namespace\n")] {
            let result = try root.cell(["run", "--rm"] + flags + ["busybox", "true"])
            #expect(result.status == 125 && result.stderr == message, "\(flags): \(result.stderr)")
        }
        try root.cell("rm", "-f", "donor", "private", "joiner").expectSuccess()
        #expect(try root.cell("ps", "-aq").stdout.isEmpty, "a --rm container that failed to start is gone")
        try expectNothingLeft(root)
    }

    /// A --link to no container and a log driver cell lacks: refused in one line and before
    /// anything is made; Docker's default driver is what cell has.
    @Test func linksAndLogDriversSayWhatCellHasYet() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let id = try root.cell("create", "--log-driver", "json-file", "busybox", "true").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try root.cell("inspect", "-f", "{{json .HostConfig.LogConfig}}", id).stdout == "{\"Type\":\"json-file\",\"Config\":{}}\n")
        try root.cell("rm", id).expectSuccess()
        for (flags, message) in [(["--link", "db:db"], "Error: could not get container for db\n"),
                                 (["--log-driver", "gelf"], "Error: logger: cell has no gelf logging driver yet (json-file, local, none, syslog, fluentd and journald)\n")] {
            let refused = try root.cell(["run", "--rm"] + flags + ["busybox", "true"])
            #expect(refused.status == 125 && refused.stderr == message, "\(flags): \(refused.stderr)")
        }
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }
}
