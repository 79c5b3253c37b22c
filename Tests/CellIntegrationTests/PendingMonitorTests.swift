import Foundation
import Testing

/// `run` starts the container's monitor before the container exists (PendingMonitor): the
/// monitor waits for the container's directory on a pipe. A run that fails before there is a
/// container ends that monitor and reaps it; a monitor whose pipe ends touches nothing.
@Suite("a monitor started ahead of its container")
struct PendingMonitorTests {
    @Test func aRunThatFailsBeforeItsContainerEndsTheMonitorItStarted() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("create", "--name", "taken", "busybox", "true").expectSuccess()
        for detach in [false, true] {
            let run = try root.cell(["run"] + (detach ? ["-d"] : []) + ["--rm", "--name", "taken", "busybox", "true"],
                                    environment: ["CELL_TRACE": "1"])
            #expect(run.status == 125)
            #expect(run.stderr.contains("is already in use"))
            let phases = PhaseTraceTests.phases(run.stderr).map(\.phase)
            // The monitor ran (its own trace), and the run reaped it before it returned.
            #expect(phases.contains("cell: monitor spawned ahead"), "\(phases)")
            #expect(phases.contains("cell-monitor: process start (exec to main)"), "\(phases)")
            #expect(phases.last { $0.hasPrefix("cell: ") } == "cell: monitor started ahead not needed, ended", "\(phases)")
            #expect(!phases.contains { $0.hasPrefix("cell-monitor: spec read") })
        }
        #expect(try root.cell("ps", "-aq").stdout.split(separator: "\n").count == 1)
        try expectNothingLeft(root)
    }

    @Test func aMonitorWhosePipeEndsWithoutADirectoryExitsQuietly() throws {
        let monitor = URL(fileURLWithPath: Paths.cell).deletingLastPathComponent().appendingPathComponent("cell-monitor").path
        let ended = try Command.run(monitor, ["--sync-fd", "1", "--directory-fd", "0"])
        #expect(ended.status == 0)
        #expect(ended.stdout.isEmpty, "no start reported")
        #expect(ended.stderr.isEmpty)
    }

    @Test func runsGoThroughTheMonitorStartedAhead() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let attached = try root.cell(["run", "--rm", "busybox", "echo", "hi"], environment: ["CELL_TRACE": "1"])
        #expect(attached.stdout == "hi\n")
        #expect(PhaseTraceTests.phases(attached.stderr).map(\.phase).contains("cell-monitor: container directory received"))
        let detached = try root.cell(["run", "-d", "--name", "ahead", "busybox", "sleep", "1000"], environment: ["CELL_TRACE": "1"])
        try detached.expectSuccess()
        #expect(PhaseTraceTests.phases(detached.stderr).map(\.phase).contains("cell-monitor: container directory received"))
        #expect(try root.cell("exec", "ahead", "echo", "up").stdout == "up\n")
        try root.cell("rm", "-f", "ahead").expectSuccess()
        try expectNothingLeft(root)
    }
}
