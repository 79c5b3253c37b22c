import Foundation
import Testing

/// Containers leave nothing behind: no overlay mount, no cgroup, no process.
func expectNothingLeft(_ root: CellRoot, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
    #expect(!mounts.contains(root.path), "mounts left under \(root.path)", sourceLocation: sourceLocation)
}

@Suite("containers: run, ps, logs, stop, rm, inspect")
struct ContainerTests {
    @Test func foregroundRunStreamsOutputAndPassesTheExitCode() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let hello = try root.cell("run", "--rm", "busybox", "/bin/echo", "Hello world")
        #expect(hello.status == 0)
        #expect(hello.stdout == "Hello world\n")
        let failing = try root.cell("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3")
        #expect(failing.status == 3)
        #expect(failing.stdout == "out\n")
        #expect(failing.stderr == "err\n")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty, "--rm removed the container")
        try expectNothingLeft(root)
    }

    /// `--entrypoint=""` (which the shell passes as `--entrypoint=`) and `-w ""` mean "none",
    /// as in Docker's documentation; the same words in the container's command stay its own.
    @Test func emptyOptionValuesMeanNone() throws {
        let root = try CellRoot()
        try root.importBusybox()
        #expect(try root.cell("run", "--rm", "--entrypoint=", "busybox", "echo", "hi").stdout == "hi\n")
        #expect(try root.cell("container", "run", "--rm", "--name", "blank", "--entrypoint=", "--workdir=", "busybox", "pwd").stdout == "/\n")
        #expect(try root.cell("run", "--rm", "-w", "", "busybox", "pwd").stdout == "/\n")
        #expect(try root.cell("run", "--rm", "-i", "busybox", "echo", "--entrypoint=", "--user=").stdout == "--entrypoint= --user=\n")
        try expectNothingLeft(root)
    }

    /// The monitor deletes a --rm container's files and cgroup after its client has the exit
    /// status: the container is gone from ps and its name free at that moment already, its
    /// output's pipe ends with the client, and what is deleted afterwards does go.
    @Test func runRmIsGoneWhenItReturnsAndItsRemainsFollow() throws {
        let root = try CellRoot()
        try root.importBusybox()
        var ids: [String] = []
        for round in 0..<3 {
            let cidfile = root.file("cid-\(round)")
            let result = try root.cell("run", "--rm", "--name", "again", "--cidfile", cidfile, "-v", "/data",
                                       "busybox", "sh", "-c", "echo round \(round); exit \(round)")
            #expect(result.status == Int32(round))
            #expect(result.stdout == "round \(round)\n")
            #expect(try root.cell("ps", "-aq").stdout.isEmpty)
            #expect(try root.cell("volume", "ls", "-q").stdout.isEmpty, "its anonymous volume went with it")
            ids.append(try String(contentsOfFile: cidfile, encoding: .utf8))
        }
        let remains = {
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/containers")) ?? [])
                + ((try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/volumes")) ?? []).filter { $0.hasPrefix(".") }
        }
        // A command that ends at once: `started` and `exited N` come on the start pipe together,
        // and the client takes both from one read.
        for _ in 0..<10 {
            let quick = try root.cell("run", "--rm", "busybox", "no-such-command")
            #expect(quick.status == 127, "\(quick.stderr)")
        }
        #expect(waitUntil { remains().isEmpty }, "left: \(remains())")
        #expect(waitUntil { ids.allSatisfy { CgroupsModeTests.cgroupDirectories(of: $0).isEmpty } })
        try expectNothingLeft(root)
    }

    @Test func theContainerIsItsOwnHost() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let result = try root.cell("run", "--name", "probe", "-e", "GREETING=hi there", "-w", "/tmp",
                                   "busybox", "sh", "-c", "echo $$; hostname; echo $GREETING; pwd; id -u; ls /proc | grep -c '^[0-9]'")
        try result.expectSuccess()
        let lines = result.lines
        let id = try root.cell("inspect", "-f", "{{.Id}}", "probe").stdout
        #expect(lines[0] == "1")
        #expect(lines[1] == String(id.prefix(12)))
        #expect(lines[2] == "hi there")
        #expect(lines[3] == "/tmp")
        #expect(lines[4] == "0")
        #expect(Int(lines[5]) ?? 99 <= 3, "only the container's processes are visible")
        let nobody = try root.cell("run", "--rm", "-u", "nobody", "busybox", "id")
        #expect(nobody.stdout.hasPrefix("uid=65534(nobody) gid=65534(nogroup)"))
    }

    @Test func detachedContainerLifecycle() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let run = try root.cell("run", "-d", "--name", "ticker", "busybox", "sh", "-c", "trap 'exit 0' TERM; while true; do echo tick; sleep 0.1; done")
        try run.expectSuccess()
        let id = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 64 && id.allSatisfy(\.isHexDigit))

        let ps = try root.cell("ps")
        #expect(ps.lines.first?.hasPrefix("CONTAINER ID   IMAGE     COMMAND") == true)
        #expect(ps.lines.count == 2 && ps.lines[1].hasPrefix(String(id.prefix(12))) && ps.lines[1].contains("Up ")
                && ps.lines[1].hasSuffix("ticker"))
        #expect(try waitUntil { try root.cell("logs", "ticker").lines.count >= 3 })
        #expect(try root.cell("logs", "--tail", "1", "ticker").lines == ["tick"])
        let stamped = try root.cell("logs", "-t", "--tail", "1", "ticker").stdout
        #expect(stamped.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z tick\n$"#, options: .regularExpression) != nil)
        #expect(try root.cell("inspect", "-f", "{{.State.Running}} {{.State.Status}}", "ticker").stdout == "true running\n")

        let removeRunning = try root.cell("rm", "ticker")
        #expect(removeRunning.status == 1)
        #expect(removeRunning.stderr.contains("container is running"))

        let stop = try root.cell("stop", "ticker")
        #expect(stop.stdout == "ticker\n")
        #expect(try root.cell("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "ticker").stdout == "exited 0\n")
        let exited = try root.cell("ps", "-a", "--format", "{{.Names}} {{.Status}}").stdout
        #expect(exited.hasPrefix("ticker Exited (0) "))
        #expect(try root.cell("ps", "-q").stdout.isEmpty)
        try root.cell("rm", String(id.prefix(5))).expectSuccess()
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    @Test func logsFollowsUntilTheContainerExitsAndKeepsTheStreamsApart() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "talker", "busybox", "sh", "-c",
                      "echo first; echo oops >&2; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo last").expectSuccess()
        #expect(try waitUntil { try root.cell("logs", "talker").stdout == "first\n" })
        let follower = try ChildProcess(Paths.cell, ["logs", "-f", "talker"], environment: ["CELL_ROOT": root.path],
                                        input: .null, captureOutput: true)
        try root.signalFile("/tmp/go", in: "talker")
        let followed = follower.finish()
        #expect(followed.status == 0)
        #expect(followed.stdout == "first\nlast\n")
        #expect(followed.stderr == "oops\n")
        let future = try root.cell("logs", "--since", "2999-01-01T00:00:00Z", "talker")
        #expect(future.status == 0 && future.stdout.isEmpty && future.stderr.isEmpty)
        #expect(try root.cell("logs", "--since", "1h", "--tail", "1", "talker").stdout == "last\n")
        try root.cell("rm", "talker").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func stopEscalatesToKillAndKillSignals() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "stubborn", "busybox", "sleep", "1000").expectSuccess()
        try root.cell("stop", "-t", "1", "stubborn").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.State.ExitCode}}", "stubborn").stdout == "137\n")
        try root.cell("start", "stubborn").expectSuccess()
        // PID 1 ignores signals it has no handler for: the default SIGKILL ends it, a trapped TERM too.
        try root.cell("kill", "stubborn").expectSuccess()
        #expect(try root.cell("wait", "stubborn").stdout == "137\n")
        try root.cell("run", "-d", "--name", "trapper", "busybox", "sh", "-c",
                      "trap 'exit 7' TERM; touch /ready; while :; do sleep 0.1; done").expectSuccess()
        #expect(try waitUntil { try root.cell("exec", "trapper", "test", "-e", "/ready").status == 0 })
        try root.cell("kill", "-s", "TERM", "trapper").expectSuccess()
        #expect(try root.cell("wait", "trapper").stdout == "7\n")
        // restart: stopped as stop stops it (the trap's status), then running again in a new process.
        try root.cell("start", "trapper").expectSuccess()
        #expect(try waitUntil { try root.cell("exec", "trapper", "test", "-e", "/ready").status == 0 })
        let firstPid = try root.cell("inspect", "-f", "{{.State.Pid}}", "trapper").stdout
        #expect(try root.cell("restart", "-t", "5", "trapper").stdout == "trapper\n")
        #expect(try root.cell("inspect", "-f", "{{.State.Running}}", "trapper").stdout == "true\n")
        #expect(try root.cell("inspect", "-f", "{{.State.Pid}}", "trapper").stdout != firstPid)
        // stop -s: the signal given over the container's own (TERM, which it traps).
        try root.cell("stop", "-s", "KILL", "-t", "30", "trapper").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.State.ExitCode}}", "trapper").stdout == "137\n")
        try root.cell("rm", "trapper").expectSuccess()
        let notRunning = try root.cell("kill", "stubborn")
        #expect(notRunning.status == 1)
        #expect(notRunning.stderr.contains("is not running"))
        try root.cell("rm", "stubborn").expectSuccess()
    }

    /// `ps -s` as Docker shows it: the writable layer, and with the image the virtual size.
    @Test func psSizeShowsTheVirtualSizeToo() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "--name", "sized", "busybox", "sh", "-c", "echo hi > /f").expectSuccess()
        let imageSize = try root.cell("images", "--format", "{{.Size}}").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let size = try root.cell("ps", "-a", "--format", "{{.Size}}").stdout
        #expect(size.hasSuffix(" (virtual \(imageSize))\n") && size.first?.isNumber == true, "\(size) vs image \(imageSize)")
        #expect(try root.cell("ps", "-a", "-s").lines.first?.hasSuffix("SIZE") == true)
        try root.cell("rm", "sized").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func startRunsAgainOnTheSameWritableLayer() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let first = try root.cell("run", "--name", "keeper", "busybox", "sh", "-c", "echo run >> /state; cat /state")
        #expect(first.stdout == "run\n")
        let again = try root.cell("start", "-a", "keeper")
        #expect(again.stdout == "run\nrun\n")
        // The /etc files are not synced at creation: a start writes back what a power cut emptied.
        let id = try root.cell("inspect", "-f", "{{.Id}}", "keeper").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try Data().write(to: URL(fileURLWithPath: "\(root.path)/containers/\(id)/hosts"))
        let repaired = try root.cell("start", "-a", "keeper")
        #expect(repaired.status == 0)
        #expect(try String(contentsOfFile: "\(root.path)/containers/\(id)/hosts", encoding: .utf8).contains("127.0.0.1\tlocalhost"))
        try root.cell("rm", "keeper").expectSuccess()
    }

    @Test func badInputGetsDockersCodes() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let missingImage = try root.cell("run", "--pull", "never", "nosuch")
        #expect(missingImage.status == 125)
        #expect(missingImage.stderr == "Error: No such image: nosuch:latest\n")
        let notFound = try root.cell("run", "--rm", "busybox", "/no/such/command")
        #expect(notFound.status == 127)
        #expect(notFound.stderr.contains("no/such/command"))
        let notExecutable = try root.cell("run", "--rm", "busybox", "/etc/passwd")
        #expect(notExecutable.status == 126)
        // The monitor writes the running state beside its file while the process is set up: a
        // start that fails leaves the container created, and nothing half-written behind.
        let failed = try root.cell("run", "-d", "--name", "failed", "busybox", "/no/such/command")
        #expect(failed.status == 127)
        let failedID = try root.cell("inspect", "-f", "{{.Id}}", "failed").lines.first ?? ""
        #expect(try root.cell("inspect", "-f", "{{.State.Status}}", "failed").stdout == "created\n")
        func leftovers(_ id: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/containers/\(id)").filter { $0.hasPrefix(".tmp-") }
        }
        #expect(try leftovers(failedID) == [])
        try root.cell("rm", "failed").expectSuccess()
        let started = try root.cell("run", "-d", "busybox", "sleep", "1000").lines.first ?? ""
        #expect(try root.cell("inspect", "-f", "{{.State.Status}}", started).stdout == "running\n")
        #expect(try leftovers(started) == [])
        try root.cell("rm", "-f", started).expectSuccess()
        try root.cell("create", "--name", "taken", "busybox").expectSuccess()
        let clash = try root.cell("run", "--name", "taken", "busybox", "true")
        #expect(clash.status == 125)
        #expect(clash.stderr.contains("is already in use"))
        let unknown = try root.cell("stop", "ghost")
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "Error response from daemon: No such container: ghost\n")
        let badPort = try root.cell("run", "-p", "99999:80", "busybox", "true")
        #expect(badPort.status == 125)
        #expect(try root.cell("ps", "-aq").lines.count == 1)
        try expectNothingLeft(root)
    }

    @Test func namesAreIndexedFreedByRmAndRebuiltForOlderStores() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let web = try root.cell("create", "--name", "web", "busybox").lines.first ?? ""
        try root.cell("create", "--name", "db", "busybox").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.Id}}", "web").stdout == web + "\n")
        #expect(try root.cell("inspect", "-f", "{{.Name}}", String(web.prefix(6))).stdout == "/web\n")

        // A store from before the index: it is rebuilt from the records on first use.
        try FileManager.default.removeItem(atPath: "\(root.path)/container-names")
        #expect(try root.cell("create", "--name", "web", "busybox").status == 125)
        #expect(try root.cell("inspect", "-f", "{{.Id}}", "web").stdout == web + "\n")

        // rm frees the name; a link left by a crash (its container gone) names nothing.
        try root.cell("rm", "web").expectSuccess()
        #expect(try root.cell("inspect", "web").status == 1)
        try FileManager.default.createSymbolicLink(atPath: "\(root.path)/container-names/ghost",
                                                   withDestinationPath: String(repeating: "ab", count: 32))
        #expect(try root.cell("inspect", "ghost").status == 1)
        try root.cell("create", "--name", "ghost", "busybox").expectSuccess()
        try root.cell("create", "--name", "web", "busybox").expectSuccess()
        #expect(Set(try root.cell("ps", "-a", "--format", "{{.Names}}").lines) == ["web", "db", "ghost"])
        try root.cell("rm", "web", "db", "ghost").expectSuccess()
    }

    @Test func autoRemoveHappensWhenADetachedContainerExitsOrIsStopped() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--rm", "--name", "brief", "busybox", "sh", "-c", "until [ -e /tmp/go ]; do sleep 0.05; done").expectSuccess()
        #expect(try root.cell("ps", "-q").lines.count == 1)
        try root.signalFile("/tmp/go", in: "brief")
        #expect(try waitUntil { try root.cell("ps", "-aq").stdout.isEmpty }, "the monitor removed the container as it exited")
        try root.cell("run", "-d", "--rm", "--name", "brief", "busybox", "sleep", "1000").expectSuccess()
        let stop = try root.cell("stop", "-t", "0", "brief")
        #expect(stop.status == 0 && stop.stdout == "brief\n")
        #expect(try waitUntil { try root.cell("ps", "-aq").stdout.isEmpty })
        #expect(try root.cell("inspect", "brief").status == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/container-names").isEmpty, "names freed")
        try expectNothingLeft(root)
    }

    @Test func networkModes() throws {
        let root = try CellRoot()
        try root.importBusybox()
        func interfaces(_ arguments: [String]) throws -> Set<String> {
            let result = try root.cell(["run", "--rm"] + arguments + ["busybox", "sh", "-c", "tail -n +3 /proc/net/dev | cut -d: -f1"])
            try result.expectSuccess()
            return Set(result.lines.map { $0.trimmingCharacters(in: .whitespaces) })
        }
        // The host's interface of its default route (others come and go with the tests' bridges).
        let table = try String(contentsOfFile: "/proc/net/route", encoding: .utf8)
        var uplink: String?
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t")
            if fields.count > 1 && fields[1] == "00000000" { uplink = String(fields[0]) }
        }
        #expect(try interfaces([]) == ["lo", "eth0"], "the default bridge network: its own loopback and its veth")
        #expect(try interfaces(["--network", "none"]) == ["lo"])
        let onHost = try interfaces(["--network", "host"])
        let seesUplink = uplink.map { onHost.contains($0) } ?? (onHost.count > 1)
        #expect(onHost.contains("lo") && seesUplink, "the host's interfaces: \(onHost)")
        // Loopback is up: a server on 127.0.0.1 answers inside the container.
        let loopback = try root.cell("run", "--rm", "busybox", "sh", "-c",
                                     "echo hi > /tmp/x; httpd -p 127.0.0.1:8080 -h /tmp; wget -qO- http://127.0.0.1:8080/x")
        #expect(loopback.stdout == "hi\n", "\(loopback.stderr)")
        let bad = try root.cell("run", "--rm", "--network", "bridge2", "busybox", "true")
        #expect(bad.status == 125)
        try expectNothingLeft(root)
    }

    @Test func initForwardsSignalsAndReapsOrphans() throws {
        let root = try CellRoot()
        try root.importBusybox()
        // An orphan (the subshell's sleep) is handed to PID 1, which must reap it.
        try root.cell("run", "-d", "--init", "--name", "inited", "busybox", "sh", "-c", "(sleep 0.1 &); exec sleep 1000").expectSuccess()
        #expect(try root.cell("exec", "inited", "cat", "/proc/1/cmdline").stdout.hasPrefix("/dev/init\0--\0sh\0"))
        let settled = try waitUntil {
            let processes = try root.cell("exec", "inited", "sh", "-c", "cat /proc/[0-9]*/stat").lines
            return processes.count == 3 && !processes.contains { $0.contains(") Z ") }  // init, sleep 1000, and this cat
        }
        #expect(settled, "the orphan was reaped, no zombie left")
        #expect(try root.cell("inspect", "-f", "{{.HostConfig.Init}}", "inited").stdout == "true\n")
        // TERM reaches the command through init: no wait for the SIGKILL.
        let stop = try root.cell("stop", "-t", "30", "inited")
        #expect(stop.status == 0)
        #expect(try root.cell("inspect", "-f", "{{.State.ExitCode}}", "inited").stdout == "143\n")
        let missing = try root.cell("run", "--rm", "--init", "busybox", "no-such-command")
        #expect(missing.status == 127)
        #expect(missing.stderr.contains("no-such-command"))
        try root.cell("rm", "inited").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func removeAllWithPsQuietAndPrune() throws {
        let root = try CellRoot()
        try root.importBusybox()
        for index in 0..<3 { try root.cell("run", "busybox", "sh", "-c", "exit \(index)").expectSuccess(allowing: [0, 1, 2]) }
        try root.cell("run", "-d", "busybox", "sleep", "100").expectSuccess()
        #expect(try root.cell("ps", "-a", "-f", "status=exited", "-q").lines.count == 3)
        #expect(try root.cell("ps", "-a", "-f", "exited=2", "-q").lines.count == 1)
        let prune = try root.cell("container", "prune", "-f")
        #expect(prune.stdout.hasPrefix("Deleted Containers:\n"))
        #expect(try root.cell("ps", "-aq").lines.count == 1)
        let all = try root.cell("ps", "-aq").lines
        try root.cell(["rm", "-f"] + all).expectSuccess()
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    @Test func publishedPortsReachTheContainer() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let site = root.file("site")
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        try "hello from cell\n".write(toFile: "\(site)/index.html", atomically: true, encoding: .utf8)
        try root.cell(["import", "-c", "EXPOSE 8000", "-c", "CMD [\"httpd\", \"-f\", \"-p\", \"8000\", \"-h\", \"/www\"]",
                       try Fixtures.busyboxTarball(), "web:1"]).expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "web", "fixed") }
        try root.cell("run", "-d", "-P", "--name", "web", "-v", "\(site):/www:ro", "web:1").expectSuccess()
        let port = try root.cell("port", "web")
        #expect(port.stdout.hasPrefix("8000/tcp -> 0.0.0.0:"))
        let hostPort = try #require(port.lines.first?.split(separator: ":").last.map(String.init))
        // -P with IPv6 on the host: [::] too, on the same port (PublishedPortTests has more).
        let hosts = hostHasIPv6 ? ["0.0.0.0", "::"] : ["0.0.0.0"]
        let shown = hosts.map { $0.contains(":") ? "[\($0)]:\(hostPort)" : "\($0):\(hostPort)" }
        #expect(port.lines == shown.map { "8000/tcp -> \($0)" })
        #expect(try root.cell("ps", "--format", "{{.Ports}}").stdout == shown.map { "\($0)->8000/tcp" }.joined(separator: ", ") + "\n")
        var body = ""
        #expect(waitUntil {
            body = (try? Command.run("/usr/bin/python3", ["-c", "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('http://127.0.0.1:\(hostPort)/index.html', timeout=2).read().decode())"]).stdout) ?? ""
            return !body.isEmpty
        })
        #expect(body == "hello from cell\n")
        let ports = try root.cell("inspect", "-f", "{{json .NetworkSettings.Ports}}", "web").stdout
        #expect(ports == "{\"8000/tcp\":[" + hosts.map { "{\"HostIp\":\"\($0)\",\"HostPort\":\"\(hostPort)\"}" }.joined(separator: ",") + "]}\n")

        try root.cell("run", "-d", "--name", "fixed", "-p", "127.0.0.1::8000", "-v", "\(site):/www:ro", "web:1").expectSuccess()
        #expect(try root.cell("port", "fixed", "8000").stdout.hasPrefix("127.0.0.1:"))
        try root.cell("rm", "-f", "web", "fixed").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func publishedUDPPortsRelayDatagramsBothWays() throws {
        let root = try CellRoot()
        try root.importBusybox()
        // busybox has no UDP server: the host's python3, its /usr and /lib bound read-only.
        let server = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", 5353))
            print("ready", flush=True)
            while True:
                data, peer = s.recvfrom(2048)
                s.sendto(data.upper(), peer)
            """
        try root.cell("run", "-d", "--name", "udp", "-p", "127.0.0.1::5353/udp",
                      "-v", "/usr:/usr:ro", "-v", "/lib:/lib:ro", "-v", "/lib64:/lib64:ro",
                      "busybox", "/usr/bin/python3", "-c", server).expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "udp") }
        #expect(try waitUntil { try root.cell("logs", "udp").stdout == "ready\n" })
        let port = try root.cell("port", "udp", "5353/udp").stdout
        #expect(port.hasPrefix("127.0.0.1:"))
        let hostPort = port.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        // Two clients, each answered on its own address.
        let client = """
            import socket, sys
            port = int(sys.argv[1])
            a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.settimeout(5)
            b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.settimeout(5)
            a.sendto(b"ping from a", ("127.0.0.1", port))
            b.sendto(b"ping from b", ("127.0.0.1", port))
            print(a.recv(2048).decode(), b.recv(2048).decode(), sep="|")
            """
        let answer = try Command.run("/usr/bin/python3", ["-c", client, hostPort])
        #expect(answer.stdout == "PING FROM A|PING FROM B\n", "\(answer.stderr)")
        try root.cell("rm", "-f", "udp").expectSuccess()
        try expectNothingLeft(root)
    }

    /// A monitor killed (kill -9) takes its container with it: nothing runs that the store shows
    /// exited, and a start runs the command once, not beside a survivor.
    @Test func aContainerGoesWithItsKilledMonitorAndStartsAgainOnce() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "orphan", "busybox", "sleep", "1000").expectSuccess()
        let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", "orphan").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let monitor = try #require(Int32(CgroupsModeTests.parent(of: pid)))
        kill(monitor, SIGKILL)
        #expect(waitUntil {
            let stat = CgroupsModeTests.text("/proc/\(pid)/stat")
            return stat.isEmpty || stat.contains(") Z ")
        }, "the container's process went with its monitor")
        #expect(waitUntil { ((try? root.cell("ps", "-a", "--format", "{{.Status}}").stdout) ?? "").hasPrefix("Exited") })
        try root.cell("start", "orphan").expectSuccess()
        let sleeping = try root.cell("exec", "orphan", "ps", "-o", "args").lines.filter { $0 == "sleep 1000" }
        #expect(sleeping.count == 1, "\(sleeping)")
        try root.cell("rm", "-f", "orphan").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func aDeadMonitorLeavesNothingWedged() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "orphan", "busybox", "sleep", "1000").expectSuccess()
        let pids = try root.cell("inspect", "-f", "{{.State.Pid}}", "orphan").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let state = try String(contentsOfFile: "\(root.path)/containers/\(try root.cell("inspect", "-f", "{{.Id}}", "orphan").stdout.trimmingCharacters(in: .whitespacesAndNewlines))/state", encoding: .utf8)
        let fields = state.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        let key = try #require(fields.firstIndex(of: "monitor-pid"))
        let monitor = try #require(Int32(fields[key + 2]))
        kill(monitor, SIGKILL)
        kill(Int32(pids) ?? 0, SIGKILL)
        #expect(waitUntil { ((try? root.cell("ps", "-a", "--format", "{{.Status}}").stdout) ?? "").hasPrefix("Exited") })
        try root.cell("rm", "orphan").expectSuccess()
        try expectNothingLeft(root)
    }
}

extension CommandResult {
    func expectSuccess(allowing codes: Set<Int32>, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(codes.contains(status), "exit \(status): \(stderr)", sourceLocation: sourceLocation)
    }
}
