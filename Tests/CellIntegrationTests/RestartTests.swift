import Foundation
import Testing

/// `--restart`: the monitor starts the process again as the policy says, with Docker's
/// back-off, never after the user stopped it.
@Suite("containers: restart policies")
struct RestartTests {
    static func field(_ root: CellRoot, _ template: String, _ name: String) throws -> String {
        try root.cell("inspect", "-f", template, name).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The monitor's pid, from the container's state file (NUL-separated: a name, the count of
    /// its values, the values).
    static func monitorPid(_ root: CellRoot, _ name: String) throws -> Int32? {
        let state = try String(contentsOfFile: "\(root.path)/containers/\(try field(root, "{{.Id}}", name))/state", encoding: .utf8)
        let fields = state.split(separator: "\0", omittingEmptySubsequences: false)
        guard let at = fields.firstIndex(of: "monitor-pid"), at + 2 < fields.count else { return nil }
        return Int32(fields[at + 2])
    }

    /// Whether the monitor has ended: no such process, or a zombie its new parent has not
    /// reaped yet (the host's pid 1 may take its time).
    static func monitorGone(_ root: CellRoot, _ name: String) throws -> Bool {
        guard let pid = try monitorPid(root, name) else { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.range(of: ")", options: .backwards) else { return true }
        return stat[end.upperBound...].split(separator: " ").first == "Z"
    }

    @Test func onFailureRestartsUpToItsCount() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "flaky", "--restart", "on-failure:3", "busybox", "sh", "-c", "echo try; exit 3").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "flaky") }
        #expect(waitUntil(timeout: 20) { (try? RestartTests.field(root, "{{.RestartCount}} {{.State.Status}}", "flaky")) == "3 exited" })
        #expect(waitUntil { (try? RestartTests.monitorGone(root, "flaky")) == true })
        #expect(try root.cell("logs", "flaky").stdout == "try\ntry\ntry\ntry\n")
        #expect(try RestartTests.field(root, "{{json .HostConfig.RestartPolicy}} {{.State.ExitCode}}", "flaky") == "{\"Name\":\"on-failure\",\"MaximumRetryCount\":3} 3")
        // A success ends on-failure's restarts.
        try root.cell("run", "-d", "--name", "fine", "--restart", "on-failure", "busybox", "true").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "fine") }
        #expect(waitUntil { (try? RestartTests.monitorGone(root, "fine")) == true })
        #expect(waitUntil { (try? RestartTests.field(root, "{{.RestartCount}} {{.State.Status}}", "fine")) == "0 exited" })
    }

    @Test func alwaysRestartsUntilTheUserStopsIt() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "again", "--restart", "always", "busybox", "sh", "-c", "exit 1").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "again") }
        #expect(waitUntil(timeout: 20) { (try? RestartTests.field(root, "{{.RestartCount}}", "again")).flatMap { Int($0) } ?? 0 >= 2 })
        // The back-off doubles (100, 200, 400 ms...): the waiting shows as Docker shows it.
        #expect(waitUntil(timeout: 20) { (try? root.cell("ps", "-a", "--format", "{{.Status}}").stdout.hasPrefix("Restarting (1) ")) == true })
        try root.cell("stop", "again").expectSuccess()
        #expect(try RestartTests.field(root, "{{.State.Status}} {{.State.Restarting}}", "again") == "exited false")
        #expect(waitUntil { (try? RestartTests.monitorGone(root, "again")) == true }, "no restart after stop")
        let count = try RestartTests.field(root, "{{.RestartCount}}", "again")
        #expect(Int(count) ?? 0 >= 2)

        // A start by the user begins the count anew, and kill ends the restarts too.
        let start = try root.cell("start", "again")
        #expect(start.status == 0, "\(start.stderr)")
        #expect(waitUntil(timeout: 20) { (try? RestartTests.field(root, "{{.RestartCount}}", "again")).flatMap { Int($0) } ?? 0 >= 1 })
        try root.cell("kill", "again").expectSuccess()
        #expect(waitUntil { (try? RestartTests.monitorGone(root, "again")) == true })
        let ended = try RestartTests.field(root, "{{.State.Status}} {{.State.Restarting}} {{.RestartCount}} {{.State.Error}}", "again")
        let state = try String(contentsOfFile: "\(root.path)/containers/\(try RestartTests.field(root, "{{.Id}}", "again"))/state", encoding: .utf8)
        #expect(ended.hasPrefix("exited false "), "after kill: \(ended); state file: \(state)")
    }

    /// The monitor keeps its container's mount namespace past the container's exit (so that
    /// the unmounting comes after the exit is reported), never more than that one: not a
    /// namespace per restart.
    @Test func aMonitorHoldsItsContainersMountNamespaceOnly() throws {
        let root = try CellRoot()
        try root.importBusybox()
        func heldMountNamespaces(_ name: String) throws -> [String] {
            guard let monitor = try RestartTests.monitorPid(root, name) else { return [] }
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(monitor)/fd")) ?? []
            return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(monitor)/fd/\($0)") }
                .filter { $0.hasPrefix("mnt:") }
        }
        try root.cell("run", "-d", "--name", "steady", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "steady") }
        let pid = try RestartTests.field(root, "{{.State.Pid}}", "steady")
        let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/mnt")
        #expect(try heldMountNamespaces("steady") == [own])

        try root.cell("run", "-d", "--name", "cycling", "--restart", "always", "busybox", "sh", "-c", "exit 1").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "cycling") }
        var seen: [[String]] = []
        #expect(waitUntil(timeout: 20) {
            seen.append((try? heldMountNamespaces("cycling")) ?? [])
            return (try? RestartTests.field(root, "{{.RestartCount}}", "cycling")).flatMap { Int($0) } ?? 0 >= 3
        })
        #expect(seen.allSatisfy { $0.count <= 1 }, "\(seen.filter { $0.count > 1 })")
        try root.cell("rm", "-f", "steady", "cycling").expectSuccess()
        try expectNothingLeft(root)
    }

    /// A foreground run with a policy returns the first exit status; the container goes on.
    @Test func anAttachedRunReturnsAndTheRestartsGoOn() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let run = try root.cell("run", "--name", "fg", "--restart", "always", "busybox", "sh", "-c", "echo once; exit 2")
        defer { _ = try? root.cell("rm", "-f", "fg") }
        #expect(run.status == 2 && run.stdout == "once\n", "\(run.stderr)")
        #expect(waitUntil(timeout: 20) { (try? RestartTests.field(root, "{{.RestartCount}}", "fg")).flatMap { Int($0) } ?? 0 >= 1 })
        try root.cell("rm", "-f", "fg").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func updateSetsThePolicyAndBadOnesAreRefused() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("create", "--name", "later", "busybox", "sh", "-c", "exit 5").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "later") }
        #expect(try root.cell("update", "--restart", "on-failure:1", "later").stdout == "later\n")
        try root.cell("start", "later").expectSuccess()
        #expect(waitUntil(timeout: 20) { (try? RestartTests.field(root, "{{.RestartCount}} {{.State.Status}}", "later")) == "1 exited" })
        #expect(waitUntil { (try? RestartTests.monitorGone(root, "later")) == true })
        // A policy and a limit that cannot be had: neither is taken (one check before any change).
        let refused = try root.cell("update", "--restart", "always", "--cpus", "100000", "later")
        let kept = try RestartTests.field(root, "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.NanoCpus}}", "later")
        #expect(refused.status != 0 && kept == "on-failure 0", "\(refused.stderr) \(kept)")
        #expect(try root.cell("events", "--since", "10m", "--until", EventsTests.now(), "--filter", "event=update", "--format", "{{.Actor.Attributes.name}}").stdout == "later\n")

        for (flags, message) in [
            (["--rm", "--restart", "always"], "cell: conflicting options: cannot specify both --restart and --rm\n\nRun 'cell run --help' for more information\n"),
            (["--restart", "on-failure:x"], "cell: invalid restart policy format: maximum retry count must be an integer\n\nRun 'cell run --help' for more information\n"),
            (["--restart", "sometimes"], "Error: invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'\n"),
            (["--restart", "always:3"], "Error: invalid restart policy: maximum retry count can only be used with 'on-failure'\n"),
        ] {
            let refused = try root.cell(["run"] + flags + ["busybox", "true"])
            #expect(refused.status == 125 && refused.stderr == message, "\(flags): \(refused.stderr)")
        }
        #expect(try root.cell("ps", "-aq").lines.count == 1, "nothing made by the refused runs")
    }

    /// `cell system boot`: what Docker's daemon starts when it comes up, after every monitor
    /// died (a reboot takes the processes too, and so does a kill -9 of the monitors; what a
    /// container's own children left in its cgroup is cleared before the start).
    @Test func bootStartsWhatThePoliciesSay() throws {
        let root = try CellRoot()
        try root.importBusybox()
        for (name, policy) in [("always", "always"), ("unless", "unless-stopped"), ("failure", "on-failure"), ("plain", "no"),
                               ("stopped", "unless-stopped")] {
            try root.cell("run", "-d", "--name", name, "--restart", policy, "busybox", "sleep", "1000").expectSuccess()
        }
        defer { _ = try? root.cell("rm", "-f", "always", "unless", "failure", "plain", "stopped") }
        try root.cell("stop", "-t", "0", "stopped").expectSuccess()
        var oldPids: [String: Int32] = [:]
        for name in ["always", "unless", "failure", "plain"] {
            let pid = try RestartTests.field(root, "{{.State.Pid}}", name)
            oldPids[name] = Int32(pid)
            let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            let monitor = Int32(stat[stat.range(of: ")", options: .backwards)!.upperBound...].split(separator: " ")[1])!
            kill(monitor, SIGKILL)
        }
        #expect(waitUntil { (try? root.cell("ps", "-q").stdout.isEmpty) == true }, "every monitor is gone")
        let boot = try root.cell("system", "boot")
        #expect(boot.status == 0, "\(boot.stderr)")
        #expect(Set(boot.lines) == ["always", "unless", "failure"])
        for name in ["always", "unless", "failure"] {
            #expect(try RestartTests.field(root, "{{.State.Running}}", name) == "true", "\(name)")
            let old = oldPids[name]!
            let leftover = (try? String(contentsOfFile: "/proc/\(old)/stat", encoding: .utf8)) ?? ""
            #expect(leftover.isEmpty || leftover.contains(") Z "), "\(name): the process its dead monitor left was cleared")
        }
        #expect(try RestartTests.field(root, "{{.State.Running}}", "plain") == "false")
        #expect(try RestartTests.field(root, "{{.State.Running}}", "stopped") == "false", "stopped by the user")
        try root.cell("rm", "-f", "always", "unless", "failure", "plain", "stopped").expectSuccess()
        try expectNothingLeft(root)
    }
}
