import Foundation
import Testing

/// CELL_TRACE=1: the phases of a command, of its monitor and of the container's process before
/// its exec, on stderr, on one timeline; nothing of it otherwise.
@Suite("CELL_TRACE: where a command spends its time")
struct PhaseTraceTests {
    /// (milliseconds since the origin, the process and phase) of each trace line.
    static func phases(_ stderr: String) -> [(at: Double, phase: String)] {
        stderr.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard line.hasPrefix("cell trace "), words.count > 6, let at = Double(words[2]), words[3] == "ms",
                  words[4].hasPrefix("+"), Double(words[4].dropFirst()) != nil else { return nil }
            return (at, words[5...].joined(separator: " "))
        }
    }

    @Test func aForegroundRunShowsEveryProcesssPhasesOnOneTimeline() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let quiet = try root.cell("run", "--rm", "busybox", "echo", "hi")
        #expect(quiet.stdout == "hi\n")
        #expect(quiet.stderr.isEmpty, "no trace unless asked for")

        let traced = try root.cell(["run", "--rm", "busybox", "echo", "hi"], environment: ["CELL_TRACE": "1"])
        #expect(traced.status == 0)
        #expect(traced.stdout == "hi\n", "the container's output is not mixed with the trace")
        let phases = PhaseTraceTests.phases(traced.stderr)
        let names = phases.map(\.phase)
        for expected in ["cell: process start (exec to main)", "cell: arguments parsed (quick path)", "cell: record written",
                         "cell-monitor: process start (exec to main)", "cell-monitor: child: overlay root mounted",
                         "cell-monitor: child: limits, capabilities, seccomp, ids; exec",
                         // A copy of the sealed monitor: the command exec'd without cell-init.
                         "cell-monitor: child exec'd the command",
                         "cell-monitor: container out of the store (--rm)", "cell: command done"] {
            #expect(names.contains(expected), "\(expected) in \(names)")
        }
        // One clock for all three: each process's marks in order, the monitor's after the
        // CLI spawned it, the child's between the monitor's spawn and its report of the exec.
        let time = { (phase: String) in phases.first { $0.phase == phase }?.at ?? -1 }
        #expect(time("cell: monitor spawned") < time("cell-monitor: process start (exec to main)"))
        #expect(time("cell-monitor: spawn configured (mounts, seccomp program, cgroup handles)") < time("cell-monitor: child: overlay root mounted"))
        #expect(time("cell-monitor: child: limits, capabilities, seccomp, ids; exec") <= time("cell-monitor: child exec'd the command"))
        #expect(time("cell-monitor: reporting the exit status") <= time("cell: command done"))
        let own = phases.filter { $0.phase.hasPrefix("cell: ") }.map(\.at)
        #expect(own == own.sorted())
        try expectNothingLeft(root)
    }

    /// A detached monitor traces its start on the client's stderr and lets go of it: the
    /// command's stderr ends when the command does (the harness reads it to its end).
    @Test func aDetachedMonitorLetsGoOfTheClientsStderr() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let run = try root.cell(["run", "-d", "--name", "traced", "busybox", "sleep", "1000"], environment: ["CELL_TRACE": "1"])
        try run.expectSuccess()
        let names = PhaseTraceTests.phases(run.stderr).map(\.phase)
        #expect(names.contains("cell-monitor: start reported, event recorded"))
        #expect(names.contains("cell: monitor reports the container started"))
        #expect(try root.cell("inspect", "-f", "{{.State.Running}}", "traced").stdout == "true\n")
        try root.cell("rm", "-f", "traced").expectSuccess()
        try expectNothingLeft(root)
    }
}
