import Foundation
import Testing

/// `run` starts the container's monitor before the container exists (PendingMonitor): the
/// monitor is shown the spec once it is planned and makes the cgroup, then is handed the
/// container. A run that fails before there is a container ends that monitor and reaps it; a
/// monitor whose socket ends takes back what it made (MonitorPreviewTests).
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
            // Shown the spec (the name is found taken when the record is written), never handed the container.
            #expect(phases.contains("cell-monitor: spec decoded from its preview"), "\(phases)")
            #expect(!phases.contains("cell-monitor: container handed over"), "\(phases)")
        }
        #expect(try root.cell("ps", "-aq").stdout.split(separator: "\n").count == 1)
        try expectNothingLeft(root)
    }

    /// The monitor started ahead dies before the container exists (killed; or an older
    /// cell-monitor that refuses --directory-fd): the run starts one the usual way.
    @Test func aRunWhoseMonitorDiedMeanwhileStartsAnother() throws {
        let root = try CellRoot()
        try root.importBusybox()
        // The image store's collection lock, held here: the run waits in its creation.
        let lock = open("\(root.path)/locks/gc.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(lock >= 0)
        defer { close(lock) }
        #expect(flock(lock, LOCK_EX) == 0)
        let run = try ChildProcess(Paths.cell, ["run", "--rm", "busybox", "echo", "survived"],
                                   environment: ["CELL_ROOT": root.path], captureOutput: true)
        var monitor: pid_t = 0
        #expect(waitUntil {
            monitor = Self.childMonitorWaiting(for: run.pid)
            return monitor > 0
        })
        kill(monitor, SIGKILL)
        #expect(flock(lock, LOCK_UN) == 0)
        let result = run.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "survived\n")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    /// The pid of `parent`'s child that is a monitor waiting for its directory, or 0.
    static func childMonitorWaiting(for parent: pid_t) -> pid_t {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        for pid in pids {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == parent,
                  let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            if String(decoding: command, as: UTF8.self).contains("--directory-fd") { return pid }
        }
        return 0
    }

    @Test func aMonitorWhoseSocketEndsWithoutADirectoryExitsQuietly() throws {
        let monitor = URL(fileURLWithPath: Paths.cell).deletingLastPathComponent().appendingPathComponent("cell-monitor").path
        let ended = try Command.run(monitor, ["--sync-fd", "1", "--directory-fd", "0"])
        #expect(ended.status == 0)
        #expect(ended.stdout.isEmpty, "no start reported")
        #expect(ended.stderr.isEmpty)
    }

    /// The containers and volumes folders spread their subdirectories over ext4's block groups
    /// (`chattr +T`, `DirectorySpreading`): a creation flags them, in a store made before too.
    @Test func theContainersFolderSpreadsItsSubdirectories() throws {
        let root = try CellRoot()
        try root.importBusybox()
        // ext4 only (its magic, as stat prints it); elsewhere the flag does not exist.
        guard try Command.run("/usr/bin/stat", ["-f", "-c", "%t", root.path]).stdout.hasPrefix("ef53") else { return }
        let containers = "\(root.path)/containers"
        try root.cell("ps", "-a").expectSuccess()
        #expect(try Command.run("/usr/bin/lsattr", ["-d", containers]).stdout.split(separator: " ").first?.contains("T") == false)
        try root.cell("create", "--name", "spread", "busybox", "true").expectSuccess()
        #expect(try Command.run("/usr/bin/lsattr", ["-d", containers]).stdout.split(separator: " ").first?.contains("T") == true)
        try root.cell("rm", "spread").expectSuccess()
        // The volumes folder too, where anonymous volumes come and go with their containers.
        try root.cell("volume", "create", "spread").expectSuccess()
        #expect(try Command.run("/usr/bin/lsattr", ["-d", "\(root.path)/volumes"]).stdout.split(separator: " ").first?.contains("T") == true)
        try root.cell("volume", "rm", "spread").expectSuccess()
    }

    /// A donor's namespaces are looked up at the start: the process cloned ahead is not the
    /// container's then, and is let go; a new one joins the donor's, in the same cgroup.
    @Test func aProcessClonedAheadIsLetGoWhenTheStartJoinsADonor() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "donor", "busybox", "sleep", "1001").expectSuccess()
        let joiner = try root.cell(["run", "-d", "--name", "joiner", "--pid", "container:donor", "busybox", "sleep", "1002"],
                                   environment: ["CELL_TRACE": "1"])
        try joiner.expectSuccess()
        let phases = PhaseTraceTests.phases(joiner.stderr).map(\.phase)
        #expect(phases.contains("cell-monitor: spec read again (rewritten by the start)"), "\(phases)")
        #expect(phases.filter { $0 == "cell-monitor: cloned into new namespaces" }.count == 2, "\(phases)")
        #expect(phases.filter { $0.hasPrefix("cell-monitor: cgroup created") }.count == 1, "\(phases)")
        let processes = try root.cell("exec", "joiner", "ps", "-o", "args").stdout
        #expect(processes.contains("sleep 1001") && processes.contains("sleep 1002"), "\(processes)")
        try root.cell("rm", "-f", "joiner", "donor").expectSuccess()
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    @Test func runsGoThroughTheMonitorStartedAhead() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let attached = try root.cell(["run", "--rm", "busybox", "echo", "hi"], environment: ["CELL_TRACE": "1"])
        #expect(attached.stdout == "hi\n")
        let attachedPhases = PhaseTraceTests.phases(attached.stderr).map(\.phase)
        #expect(attachedPhases.contains("cell-monitor: container handed over"), "\(attachedPhases)")
        // The spec came ahead of the record; nothing read it back from disk.
        #expect(attachedPhases.contains("cell-monitor: spec decoded from its preview"), "\(attachedPhases)")
        #expect(!attachedPhases.contains { $0.hasPrefix("cell-monitor: spec read") }, "\(attachedPhases)")
        let detached = try root.cell(["run", "-d", "--name", "ahead", "busybox", "sleep", "1000"], environment: ["CELL_TRACE": "1"])
        try detached.expectSuccess()
        #expect(PhaseTraceTests.phases(detached.stderr).map(\.phase).contains("cell-monitor: container handed over"))
        // A container that stays is cloned while its record is written, and let mount its root after.
        let detachedPhases = PhaseTraceTests.phases(detached.stderr).map(\.phase)
        #expect(detachedPhases.firstIndex(of: "cell-monitor: cloned into new namespaces")
                ?? .max < detachedPhases.firstIndex(of: "cell-monitor: container handed over") ?? .min, "\(detachedPhases)")
        #expect(detachedPhases.contains("cell-monitor: child: let mount its root (the container recorded)"), "\(detachedPhases)")
        // Published ports are chosen at the start: the spec is read again; the cgroup and the
        // process cloned ahead are kept (ports are the monitor's alone).
        let published = try root.cell(["run", "-d", "--name", "published", "-p", "127.0.0.1::80", "busybox", "httpd", "-f", "-p", "80"],
                                      environment: ["CELL_TRACE": "1"])
        try published.expectSuccess()
        let publishedPhases = PhaseTraceTests.phases(published.stderr).map(\.phase)
        #expect(publishedPhases.contains("cell-monitor: spec read again (rewritten by the start)"), "\(publishedPhases)")
        #expect(publishedPhases.filter { $0.hasPrefix("cell-monitor: cgroup created") }.count == 1, "\(publishedPhases)")
        #expect(publishedPhases.filter { $0 == "cell-monitor: cloned into new namespaces" }.count == 1, "\(publishedPhases)")
        #expect(try root.cell("port", "published", "80").stdout.hasPrefix("127.0.0.1:"))
        try root.cell("rm", "-f", "published").expectSuccess()
        // --rm: its record is not synced, and nothing is cloned before it is written.
        let removed = try root.cell(["run", "--rm", "busybox", "true"], environment: ["CELL_TRACE": "1"])
        let removedPhases = PhaseTraceTests.phases(removed.stderr).map(\.phase)
        #expect(!removedPhases.contains("cell-monitor: child: let mount its root (the container recorded)"), "\(removedPhases)")
        #expect(try root.cell("exec", "ahead", "echo", "up").stdout == "up\n")
        // The monitor runs from a sealed copy of itself (a /proc/self/fd path to the kernel),
        // and still goes by its name in ps, top and pgrep.
        let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", "ahead").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let monitor = CgroupsModeTests.parent(of: pid)
        #expect(CgroupsModeTests.text("/proc/\(monitor)/comm") == "cell-monitor\n")
        #expect(CgroupsModeTests.text("/proc/\(monitor)/cmdline").contains("--sealed"))
        try root.cell("rm", "-f", "ahead").expectSuccess()
        try expectNothingLeft(root)
    }
}
