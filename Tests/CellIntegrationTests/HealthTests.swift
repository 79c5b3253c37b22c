import Foundation
import Testing

/// Health checks: HEALTHCHECK and `--health-*`, run by the container's monitor on schedule,
/// shown as Docker shows them.
@Suite("containers: health checks")
struct HealthTests {
    static func status(_ root: CellRoot, _ name: String) -> String {
        (try? root.cell("ps", "-a", "--filter", "name=\(name)", "--format", "{{.Status}}").stdout) ?? ""
    }

    @Test func aCheckGoesFromStartingToUnhealthyToHealthy() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "svc", "--health-cmd", "cat /tmp/ready", "--health-interval", "100ms",
                      "--health-retries", "2", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "svc") }
        #expect(HealthTests.status(root, "svc").hasSuffix(" (health: starting)\n") || HealthTests.status(root, "svc").hasSuffix(" (unhealthy)\n"))
        #expect(waitUntil(timeout: 20) { HealthTests.status(root, "svc").hasSuffix(" (unhealthy)\n") })
        #expect(try root.cell("inspect", "-f", "{{.State.Health.Status}} {{ge .State.Health.FailingStreak 2}}", "svc").stdout == "unhealthy true\n")
        #expect(try root.cell("ps", "-q", "--filter", "health=unhealthy").lines.count == 1)
        try root.writeExecutable("ready\n", to: "/proc/\(try root.cell("inspect", "-f", "{{.State.Pid}}", "svc").stdout.trimmingCharacters(in: .whitespacesAndNewlines))/root/tmp/ready")
        #expect(waitUntil(timeout: 20) { HealthTests.status(root, "svc").hasSuffix(" (healthy)\n") })
        let log = try root.cell("inspect", "-f", "{{range .State.Health.Log}}{{.ExitCode}}:{{.Output}}|{{end}}", "svc").stdout
        #expect(log.hasSuffix("0:ready\n|\n"), "\(log)")
        #expect(try root.cell("inspect", "-f", "{{len .State.Health.Log}}", "svc").stdout.trimmingCharacters(in: .whitespacesAndNewlines) <= "5")
        #expect(try root.cell("inspect", "-f", "{{json .Config.Healthcheck}}", "svc").stdout
                == "{\"Test\":[\"CMD-SHELL\",\"cat /tmp/ready\"],\"Interval\":100000000,\"Retries\":2}\n")
        #expect(try root.cell("ps", "-q", "--filter", "health=healthy").lines.count == 1)
        try root.cell("rm", "-f", "svc").expectSuccess()
        try expectNothingLeft(root)
    }

    /// Checks that misbehave: one leaves writers behind that flood its output forever, one
    /// leaves sleepers behind and hangs past its timeout. The monitor keeps logging the
    /// container's own output, exec works, and the monitor's memory does not grow.
    @Test func floodingAndForkingChecksLeaveTheMonitorServing() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let ticker = "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.05; done"
        try root.cell("run", "-d", "--name", "flood", "--health-cmd", "yes flood & yes flood >&2 & exit 1", "--health-interval", "200ms",
                      "--health-retries", "2", "busybox", "sh", "-c", ticker).expectSuccess()
        try root.cell("run", "-d", "--name", "hang", "--health-cmd", "sleep 100 & sleep 100 & sleep 100", "--health-interval", "200ms",
                      "--health-timeout", "300ms", "--health-retries", "1", "busybox", "sh", "-c", ticker).expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "flood", "hang") }
        for name in ["flood", "hang"] {
            #expect(waitUntil(timeout: 30) { HealthTests.status(root, name).hasSuffix(" (unhealthy)\n") }, "\(name)")
        }
        #expect(try root.cell("inspect", "-f", "{{(index .State.Health.Log 0).Output}}", "hang").stdout == "Health check exceeded timeout (300ms)\n")
        // Each run's output is what its writers got out before it ended (nothing, if they had
        // not run yet), never more than Docker's 4 KiB.
        let outputs = try root.cell("inspect", "-f", "{{range .State.Health.Log}}{{json .Output}}\n{{end}}", "flood").lines
        for output in outputs {
            let text = try JSONSerialization.jsonObject(with: Data(output.utf8), options: .fragmentsAllowed) as? String ?? "?"
            #expect(text.utf8.count <= 4096 && text.split(separator: "\n").allSatisfy { "flood".hasPrefix($0) },
                    "Docker's 4 KiB of a check's output (\(text.utf8.count) bytes: \(text.prefix(40)))")
        }
        func monitorMemory(_ name: String) throws -> Int {
            let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", name).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let monitor = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8).split(separator: " ")[3]
            let status = try String(contentsOfFile: "/proc/\(monitor)/status", encoding: .utf8)
            return Int(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }!.split(separator: " ")[1])!
        }
        let before = try ["flood", "hang"].map(monitorMemory)
        for name in ["flood", "hang"] {
            let ticks = { (try? root.cell("logs", "--tail", "1", name).stdout) ?? "" }
            let seen = ticks()
            #expect(waitUntil(timeout: 10) { ticks() != seen && ticks().hasPrefix("tick-") }, "\(name): the container's own output is still logged")
            #expect(try root.cell("exec", name, "echo", "alive").stdout == "alive\n")
        }
        // A few more runs of each check, then the same memory within 1 MB.
        let runs = { (name: String) in (try? root.cell("inspect", "-f", "{{.State.Health.FailingStreak}}", name).stdout).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0 }
        let streaks = ["flood", "hang"].map(runs)
        #expect(waitUntil(timeout: 30) { zip(["flood", "hang"], streaks).allSatisfy { runs($0) >= $1 + 3 } })
        for (name, earlier) in zip(["flood", "hang"], before) {
            let now = try monitorMemory(name)
            #expect(now < earlier + 1024, "\(name): \(earlier) kB, then \(now) kB")
        }
        try root.cell("rm", "-f", "flood", "hang").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func theImagesCheckRunsUnlessTurnedOffAndTimeoutsFail() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = root.file("context")
        try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
        try "FROM busybox\nHEALTHCHECK --interval=100ms --timeout=2s CMD echo fine\n".write(toFile: "\(context)/Imagefile", atomically: true, encoding: .utf8)
        try root.cell("build", "-q", "-t", "checked", context).expectSuccess()
        try root.cell("run", "-d", "--name", "image", "checked", "sleep", "1000").expectSuccess()
        try root.cell("run", "-d", "--name", "off", "--no-healthcheck", "checked", "sleep", "1000").expectSuccess()
        try root.cell("run", "-d", "--name", "slow", "--health-cmd", "sleep 5", "--health-timeout", "100ms", "--health-interval", "100ms",
                      "--health-retries", "1", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "image", "off", "slow") }
        #expect(waitUntil(timeout: 20) { HealthTests.status(root, "image").hasSuffix(" (healthy)\n") })
        #expect(try root.cell("inspect", "-f", "{{(index .State.Health.Log 0).Output}}", "image").stdout == "fine\n\n")
        #expect(waitUntil(timeout: 20) { HealthTests.status(root, "slow").hasSuffix(" (unhealthy)\n") })
        #expect(try root.cell("inspect", "-f", "{{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}}", "slow").stdout
                == "-1 Health check exceeded timeout (100ms)\n")
        #expect(!HealthTests.status(root, "off").contains("health"))
        #expect(try root.cell("inspect", "-f", "{{json .State.Health}} {{json .Config.Healthcheck.Test}}", "off").stdout.hasSuffix("[\"NONE\"]\n"))
        try root.cell("rm", "-f", "image", "off", "slow").expectSuccess()

        for (flags, message) in [
            (["--no-healthcheck", "--health-cmd", "true"], "cell: --no-healthcheck conflicts with --health-* options\n\nRun 'cell run --help' for more information\n"),
            (["--health-retries", "-1", "--health-cmd", "true"], "cell: --health-retries cannot be negative\n\nRun 'cell run --help' for more information\n"),
            (["--health-interval", "soon", "--health-cmd", "true"], "invalid argument \"soon\" for \"--health-interval\" flag: time: invalid duration \"soon\"\n\nUsage:  cell run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'cell run --help' for more information\n"),
        ] {
            let refused = try root.cell(["run", "--rm"] + flags + ["busybox", "true"])
            #expect(refused.status == 125 && refused.stderr == message, "\(flags): \(refused.stderr)")
        }
        try expectNothingLeft(root)
    }

    /// `healthcheck run`, Podman's verb: the check once, now, recorded beside the monitor's
    /// scheduled runs (an hour apart here, so every result seen is the command's).
    @Test func healthcheckRunChecksOnceAndRecordsIt() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "svc", "--health-cmd", "cat /tmp/ready", "--health-interval", "1h",
                      "--health-retries", "1", "busybox", "sleep", "1000").expectSuccess()
        try root.cell("run", "-d", "--name", "plain", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "svc", "plain") }
        let failed = try root.cell("healthcheck", "run", "svc")
        #expect(failed.status == 1 && failed.stdout == "unhealthy\n", "\(failed.stdout)\(failed.stderr)")
        #expect(HealthTests.status(root, "svc").hasSuffix(" (unhealthy)\n"))
        try root.cell("exec", "svc", "sh", "-c", "echo ready > /tmp/ready").expectSuccess()
        let passed = try root.cell("healthcheck", "run", "svc")
        #expect(passed.status == 0 && passed.stdout.isEmpty, "\(passed.stdout)\(passed.stderr)")
        #expect(try root.cell("inspect", "-f", "{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}} {{(index .State.Health.Log 1).Output}}", "svc").stdout
                == "healthy 0 2 ready\n\n")
        let events = try root.cell("events", "--since", "1h", "--until", EventsTests.now(), "--filter", "event=health_status", "--format", "{{.Action}}")
        #expect(events.stdout == "health_status: unhealthy\nhealth_status: healthy\n")

        for (arguments, message) in [
            (["plain"], "Error: container plain has no defined healthcheck\n"),
            (["missing"], "Error: No such container: missing\n"),
        ] {
            let refused = try root.cell(["healthcheck", "run"] + arguments)
            #expect(refused.status == 125 && refused.stderr == message, "\(arguments): \(refused.stderr)")
        }
        try root.cell("stop", "-t", "0", "svc").expectSuccess()
        let stopped = try root.cell("healthcheck", "run", "svc")
        #expect(stopped.status == 125 && stopped.stderr.hasSuffix(" is not running\n"), "\(stopped.stderr)")
        try root.cell("rm", "-f", "svc", "plain").expectSuccess()
        try expectNothingLeft(root)
    }
}
