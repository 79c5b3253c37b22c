import Foundation
import Testing

/// The docker CLI on this machine (28, with no engine of its own) against `cell system service`:
/// what it prints and exits with is the assertion, compared with cell's own CLI where both show
/// the same store.
@Suite(.enabled(if: EngineService.hasDockerCLI, "needs the docker CLI at /usr/local/bin/docker"))
struct EngineAPIDockerCLITests {
    @Test func versionAndInfoAreTheEngines() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        let version = try service.docker("version", "--format", "{{.Server.Version}} {{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Client.APIVersion}} {{.Server.Os}}")
        try version.expectSuccess()
        // The client negotiated down to the service's API version.
        #expect(version.stdout == "24.0.7 1.43 1.24 1.43 linux\n")
        let full = try service.docker("version")
        #expect(full.stdout.contains("Server: cell "))
        #expect(full.stdout.contains("  API version:      1.43 (minimum version 1.24)"))

        let template = "{{.ServerVersion}} {{.Images}} {{.Containers}} {{.Driver}} {{.OSType}} {{.NCPU}} {{.DockerRootDir}} {{.LoggingDriver}}"
        let info = try service.docker("info", "--format", template)
        try info.expectSuccess()
        #expect(info.stdout == (try root.cell("info", "--format", template)).stdout)
        #expect(info.stdout.hasPrefix("24.0.7 1 0 overlay2 linux "))
    }

    @Test func createStartWaitLogsAndRemove() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }

        let created = try service.docker("create", "--name", "greeter", "-e", "WHO=world", "busybox", "sh", "-c", "echo hello $WHO; echo trouble >&2; exit 3")
        try created.expectSuccess()
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.count == 64)
        // Made through the API, seen by the CLI at once: one store.
        #expect(try root.cell("ps", "-aq", "--no-trunc").stdout == id + "\n")
        #expect(try root.cell("inspect", "-f", "{{.State.Status}}", "greeter").stdout == "created\n")

        try service.docker("start", "greeter").expectSuccess()
        let wait = try service.docker("wait", "greeter")
        #expect(wait.status == 0 && wait.stdout == "3\n")
        let logs = try service.docker("logs", "greeter")
        #expect(logs.stdout == "hello world\n" && logs.stderr == "trouble\n")
        #expect(logs.stdout == (try root.cell("logs", "greeter")).stdout)
        let stamped = try service.docker("logs", "-t", "greeter")
        #expect(stamped.stdout == (try root.cell("logs", "-t", "greeter")).stdout)
        #expect(try service.docker("logs", "--tail", "0", "greeter").stdout.isEmpty)

        // ps as the docker CLI draws it from the API's list, against cell's own table.
        let columns = "{{.ID}}|{{.Image}}|{{.Command}}|{{.Names}}|{{.State}}|{{.Ports}}|{{.Labels}}"
        let fromAPI = try service.docker("ps", "-a", "--format", columns)
        try fromAPI.expectSuccess()
        #expect(fromAPI.stdout == (try root.cell("ps", "-a", "--format", columns)).stdout)
        #expect(fromAPI.stdout.contains("|\"sh -c echo hello $W…\"|greeter|exited|"))
        // The default table: the same columns (CREATED is as wide as its text, which the docker CLI
        // rounds from the API's seconds).
        let words = { (line: String?) in line?.components(separatedBy: "  ").filter { !$0.isEmpty }.map { $0.trimmingCharacters(in: .whitespaces) } }
        let table = try service.docker("ps", "-a").lines
        #expect(words(table.first) == words(try root.cell("ps", "-a").lines.first))
        #expect(table.last?.contains("Exited (3) ") == true && table.last?.hasSuffix("greeter") == true)

        let removed = try service.docker("rm", "greeter")
        #expect(removed.status == 0 && removed.stdout == "greeter\n")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        let missing = try service.docker("rm", "greeter")
        #expect(missing.status == 1 && missing.stderr.contains("No such container: greeter"))
    }

    @Test func runDetachedStopKillRestartAndInspect() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }

        let run = try service.docker("run", "-d", "--name", "web", "-p", "127.0.0.1::80", "--label", "role=web", "busybox", "sleep", "1000")
        try run.expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.State.Running}}", "web").stdout == "true\n")
        #expect(try service.docker("ps", "--format", "{{.Names}} {{.Status}}").stdout.hasPrefix("web Up "))
        let ports = try service.docker("port", "web")
        #expect(ports.stdout == (try root.cell("port", "web")).stdout && ports.stdout.hasPrefix("80/tcp -> 127.0.0.1:"))

        // inspect's document is cell's own, as the docker CLI prints it.
        let document = { (result: CommandResult) in try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] }
        let viaAPI = try document(try service.docker("inspect", "web"))
        let viaCLI = try document(try root.cell("inspect", "web"))
        #expect(viaAPI.map { NSArray(array: $0) } == viaCLI.map { NSArray(array: $0) })
        #expect(try service.docker("inspect", "-f", "{{.Config.Labels.role}} {{.HostConfig.PortBindings}}", "web").stdout == "web map[80/tcp:[{127.0.0.1 }]]\n")

        // sleep as PID 1 ignores SIGTERM: SIGKILL after the second.
        let stop = try service.docker("stop", "-t", "1", "web")
        #expect(stop.status == 0 && stop.stdout == "web\n")
        #expect(try root.cell("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "web").stdout == "exited 137\n")
        // Stopped already: Docker's 304, which the CLI takes as done.
        #expect(try service.docker("stop", "web").status == 0)

        try service.docker("restart", "-t", "0", "web").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.State.Running}}", "web").stdout == "true\n")
        try service.docker("kill", "web").expectSuccess()
        let again = try service.docker("kill", "web")
        #expect(again.status == 1 && again.stderr.contains("is not running"))

        try service.docker("start", "web").expectSuccess()
        let running = try service.docker("rm", "web")
        #expect(running.status == 1 && running.stderr.contains("container is running"))
        try service.docker("rm", "-f", "web").expectSuccess()
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
    }

    @Test func imagesTagHistoryAndRmi() throws {
        let root = try CellRoot()
        let id = try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }

        let columns = "{{.Repository}}|{{.Tag}}|{{.ID}}|{{.Size}}"
        #expect(try service.docker("images", "--format", columns).stdout == (try root.cell("images", "--format", columns)).stdout)
        try service.docker("tag", "busybox", "mine:1").expectSuccess()
        #expect(try root.cell("images", "--format", "{{.Repository}}:{{.Tag}}").lines.sorted() == ["busybox:latest", "mine:1"])
        #expect(try service.docker("images", "-q", "--no-trunc").stdout == (try root.cell("images", "-q", "--no-trunc")).stdout)
        #expect(try service.docker("images", "-q", "--no-trunc").stdout.hasPrefix(id + "\n"))
        #expect(try service.docker("images", "--filter", "reference=mine", "--format", "{{.Repository}}:{{.Tag}}").stdout == "mine:1\n")

        let history = "{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}"
        #expect(try service.docker("history", "--no-trunc", "--format", history, "busybox").stdout
                    == (try root.cell("history", "--no-trunc", "--format", history, "busybox")).stdout)
        let image = { (result: CommandResult) in try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] }
        #expect(try image(try service.docker("image", "inspect", "busybox")).map { NSArray(array: $0) }
                    == (try image(try root.cell("image", "inspect", "busybox"))).map { NSArray(array: $0) })

        let untag = try service.docker("rmi", "mine:1")
        #expect(untag.status == 0 && untag.stdout == "Untagged: mine:1\n")
        try service.docker("create", "--name", "user", "busybox").expectSuccess()
        let used = try service.docker("rmi", "busybox")
        #expect(used.status == 1 && used.stderr.contains("container") && used.stderr.contains("is using its referenced image"))
        try service.docker("rm", "user").expectSuccess()
        let gone = try service.docker("rmi", "busybox")
        #expect(gone.status == 0 && gone.stdout == "Untagged: busybox:latest\nDeleted: \(id)\n")
        #expect(try root.cell("images", "-q").stdout.isEmpty)
        let missing = try service.docker("image", "inspect", "busybox")
        #expect(missing.status == 1 && missing.stderr.contains("No such image: busybox"))
    }

    /// What cell has of Docker's HostConfig arrives: restart policy, health check, named and
    /// anonymous volumes, volumes-from, log options, as `cell inspect` shows them; pause and
    /// unpause; rm -v takes the anonymous volumes along.
    @Test func createHonoursWhatCellHas() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer {
            EngineService.removeAllContainers(root)
            _ = try? root.cell("volume", "rm", "-f", "data")
        }
        try service.docker("run", "-d", "--name", "full", "--restart", "on-failure:3", "--health-cmd", "true", "--health-interval", "5s",
                           "-v", "data:/data", "-v", "/anonymous", "--log-opt", "max-size=1m", "--log-opt", "max-file=2",
                           "busybox", "sleep", "1000").expectSuccess()
        let template = "{{json .HostConfig.RestartPolicy}} {{json .Config.Healthcheck}} {{json .HostConfig.LogConfig}} {{range .Mounts}}{{.Type}}:{{.Destination}} {{end}}"
        let shown = try service.docker("inspect", "-f", template, "full")
        #expect(shown.stdout == (try root.cell("inspect", "-f", template, "full")).stdout)
        #expect(shown.stdout.hasPrefix(#"{"Name":"on-failure","MaximumRetryCount":3} {"Test":["CMD-SHELL","true"],"Interval":5000000000}"#), "\(shown.stdout)")
        #expect(shown.stdout.contains("max-size") && shown.stdout.contains("volume:/data") && shown.stdout.contains("volume:/anonymous"))
        try service.docker("run", "-d", "--name", "borrower", "--volumes-from", "full", "busybox", "sleep", "1000").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{range .Mounts}}{{.Destination}} {{end}}", "borrower").stdout.contains("/data"))

        try service.docker("pause", "full").expectSuccess()
        #expect(try service.docker("ps", "--filter", "name=full", "--format", "{{.Status}}").stdout.contains("(Paused)"))
        #expect(try root.cell("inspect", "-f", "{{.State.Status}}", "full").stdout == "paused\n")
        let twice = try service.docker("pause", "full")
        #expect(twice.status == 1 && twice.stderr.contains("already paused"))
        try service.docker("unpause", "full").expectSuccess()

        let volumes = { try root.cell("volume", "ls", "-q").lines.sorted() }
        #expect(try volumes().count == 2)
        try service.docker("rm", "-f", "borrower").expectSuccess()
        try service.docker("rm", "-f", "-v", "full").expectSuccess()
        // The named volume stays, the anonymous one went with its container.
        #expect(try volumes() == ["data"])
    }

    @Test func filtersPruneAndUnsupportedFields() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }

        try root.cell("run", "--name", "done", "busybox", "true").expectSuccess()
        try service.docker("run", "-d", "--name", "up", "busybox", "sleep", "1000").expectSuccess()
        #expect(try service.docker("ps", "--format", "{{.Names}}").stdout == "up\n")
        #expect(try service.docker("ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}").stdout == "done\n")
        #expect(try service.docker("ps", "-a", "--filter", "name=do", "-q").stdout == (try root.cell("ps", "-a", "--filter", "name=do", "-q")).stdout)
        #expect(try service.docker("ps", "-n", "1", "--format", "{{.Names}}").stdout == "up\n")
        let badFilter = try service.docker("ps", "--filter", "colour=red")
        #expect(badFilter.status != 0 && badFilter.stderr.contains("invalid filter 'colour'"))

        let prune = try service.docker("container", "prune", "-f")
        #expect(prune.status == 0 && prune.stdout.hasPrefix("Deleted Containers:\n"))
        #expect(try root.cell("ps", "-a", "--format", "{{.Names}}").stdout == "up\n")

        // What cell cannot do is refused in one line that names it, and nothing is created.
        for (flags, field) in [(["--device-read-bps", "/dev/null:1mb"], "HostConfig.BlkioDeviceReadBps"),
                               (["--cgroup-parent", "elsewhere"], "HostConfig.CgroupParent"), (["--domainname", "example.org"], "Config.Domainname")] {
            let refused = try service.docker(["create"] + flags + ["busybox"])
            #expect(refused.status != 0 && refused.stderr.contains("Error response from daemon: \(field)"), "\(flags): \(refused.stderr)")
        }
        #expect(try root.cell("ps", "-a", "--format", "{{.Names}}").stdout == "up\n")
    }
}
