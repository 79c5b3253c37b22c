import Foundation
import Testing

/// `pause` and `unpause`: the container's cgroup frozen and thawed, as Docker shows it.
@Suite("containers: pause and unpause")
struct PauseTests {
    /// Whether the kernel reports the cgroup of `pid` frozen (v2's cgroup.events, else v1's freezer).
    static func isFrozen(_ pid: String) throws -> Bool {
        let lines = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8).split(separator: "\n")
        if let unified = lines.first(where: { $0.hasPrefix("0::") }),
           let events = try? String(contentsOfFile: "/sys/fs/cgroup\(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/unified") ? "/unified" : "")\(unified.dropFirst(3))/cgroup.events", encoding: .utf8),
           events.contains("frozen ") {
            return events.contains("frozen 1")
        }
        let freezer = try #require(lines.first { $0.split(separator: ":")[1].split(separator: ",").contains("freezer") })
        let path = "/sys/fs/cgroup/freezer\(freezer.split(separator: ":", maxSplits: 2)[2])/freezer.state"
        return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "FROZEN"
    }

    @Test func aPausedContainerIsFrozenShownAndLetGo() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "counter", "busybox", "sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.02; done").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "counter") }
        let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", "counter").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try root.cell("pause", "counter").stdout == "counter\n")
        #expect(try PauseTests.isFrozen(pid))
        #expect(try root.cell("ps", "--format", "{{.Status}}").stdout.hasSuffix(" (Paused)\n"))
        #expect(try root.cell("ps", "-q", "--filter", "status=paused").lines.count == 1)
        #expect(try root.cell("inspect", "-f", "{{.State.Status}} {{.State.Paused}} {{.State.Running}}", "counter").stdout == "paused true true\n")
        #expect(try root.cell("info", "-f", "{{.ContainersPaused}} {{.ContainersRunning}}").stdout == "1 0\n")
        let id = try root.cell("inspect", "-f", "{{.Id}}", "counter").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let exec = try root.cell("exec", "counter", "true")
        #expect(exec.status == 1 && exec.stderr == "Error response from daemon: container \(id) is paused, unpause the container before exec\n")
        let again = try root.cell("pause", "counter")
        #expect(again.status == 1 && again.stderr == "Error response from daemon: container \(id) is already paused\n")

        let before = try String(contentsOfFile: "/proc/\(pid)/root/tmp/n", encoding: .utf8)
        #expect(try root.cell("unpause", "counter").stdout == "counter\n")
        #expect(try !PauseTests.isFrozen(pid))
        #expect(waitUntil { (try? String(contentsOfFile: "/proc/\(pid)/root/tmp/n", encoding: .utf8)) != before }, "it counts again")
        let notPaused = try root.cell("unpause", "counter")
        #expect(notPaused.status == 1 && notPaused.stderr == "Error response from daemon: container \(id) is not paused\n")

        // stop and rm -f of a paused container work, as Docker's do.
        try root.cell("pause", "counter").expectSuccess()
        try root.cell("stop", "-t", "1", "counter").expectSuccess()
        #expect(try root.cell("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "counter").stdout == "exited false\n")
        try root.cell("start", "counter").expectSuccess()
        try root.cell("pause", "counter").expectSuccess()
        try root.cell("rm", "-f", "counter").expectSuccess()
        let stopped = try root.cell("pause", "nothing")
        #expect(stopped.status == 1 && stopped.stderr == "Error response from daemon: No such container: nothing\n")
        try expectNothingLeft(root)
    }
}
