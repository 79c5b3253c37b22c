#if canImport(Glibc)
import Glibc
#endif
import CellCore
@testable import CellRuntime
import Testing
import CellCgroups

/// A monitor started ahead is shown the container's spec before the container is recorded
/// (`PendingMonitor.preview`) and makes its cgroup and clones its process (which waits before
/// its root) meanwhile; then it is handed the container, or, never handed it, takes both back,
/// whoever ends it and however.
@Suite("a monitor shown its container's spec ahead")
struct MonitorPreviewTests {
    static func cgroupExists(_ container: BusyboxContainer) throws -> Bool {
        try container.cgroup.directories.allSatisfy(FileSystem.exists)
    }

    static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? FileSystem.readFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")")),
              close + 2 < stat.count else { return false }
        return stat[close + 2] == UInt8(ascii: "Z")
    }

    static func cgroupGone(_ container: BusyboxContainer) throws -> Bool {
        try container.cgroup.directories.allSatisfy { !FileSystem.exists($0) }
    }

    @Test func theContainerStartsFromThePreviewWithItsCgroupMadeAhead() throws {
        let container = try BusyboxContainer(["echo", "from the preview"])
        defer { container.remove() }
        let pending = try ContainerLauncher.startAhead(monitorPath: BusyboxContainer.monitorPath)
        pending.preview(container.spec, encoded: try container.spec.encoded(), containerDirectory: container.directory)
        // Made before the container is recorded (the spec is not on disk yet), with the
        // container's process in it, cloned and waiting before its root.
        var cloned: [Int32] = []
        #expect(try Deadline.wait(timeout: 10) {
            guard try Self.cgroupExists(container) else { return false }
            cloned = try container.cgroup.processes()
            return cloned.count == 1
        })
        #expect(!FileSystem.exists(ContainerSpec.path(inContainerDirectory: container.directory)))
        var recorded = container.spec
        recorded.process.arguments = ["echo", "from the disk"]
        try recorded.write(toContainerDirectory: container.directory)
        let started = try ContainerLauncher.start(containerDirectory: container.directory, monitorPath: BusyboxContainer.monitorPath,
                                                  pending: pending, specRewritten: false)
        #expect(cloned == [started.pid], "the process cloned ahead is the container's")
        #expect(try container.waitForExit().exitCode == 0)
        #expect(try container.output() == "from the preview\n")
        try container.expectCleanedUp()
    }

    /// The start changed the spec (ports, donors): it is read again, and a cgroup that is not
    /// the preview's any more is made anew, the preview's taken back.
    @Test func aSpecRewrittenByTheStartIsReadAgain() throws {
        let container = try BusyboxContainer(["echo", "from the disk"])
        defer { container.remove() }
        var previewed = container.spec
        previewed.process.arguments = ["echo", "from the preview"]
        previewed.cgroupName = container.spec.cgroupName + "-previewed"
        let previewedCgroup = try Cgroup(layout: CgroupLayout.detect(), parent: previewed.cgroupParent, name: previewed.cgroupName)
        defer { try? previewedCgroup.remove(timeout: 1) }
        let pending = try ContainerLauncher.startAhead(monitorPath: BusyboxContainer.monitorPath)
        pending.preview(previewed, encoded: try previewed.encoded(), containerDirectory: container.directory)
        #expect(Deadline.wait(timeout: 10) { previewedCgroup.directories.allSatisfy(FileSystem.exists) })
        try container.spec.write(toContainerDirectory: container.directory)
        _ = try ContainerLauncher.start(containerDirectory: container.directory, monitorPath: BusyboxContainer.monitorPath,
                                        pending: pending, specRewritten: true)
        #expect(try container.waitForExit().exitCode == 0)
        #expect(try container.output() == "from the disk\n")
        #expect(previewedCgroup.directories.allSatisfy { !FileSystem.exists($0) })
        try container.expectCleanedUp()
    }

    /// The run stopped before it had a container (the name was taken, its client killed): the
    /// socket's end tells the monitor, which kills the process it cloned, removes the cgroup
    /// (only an empty one can be) and exits.
    @Test func aMonitorNeverHandedItsContainerTakesTheCgroupBack() throws {
        let container = try BusyboxContainer(["true"])
        defer { container.remove() }
        var pending: PendingMonitor? = try ContainerLauncher.startAhead(monitorPath: BusyboxContainer.monitorPath)
        let pid = pending!.pid
        pending!.preview(container.spec, encoded: try container.spec.encoded(), containerDirectory: container.directory)
        #expect(try Deadline.wait(timeout: 10) { try Self.cgroupExists(container) })
        pending = nil
        #expect(kill(pid, 0) != 0 && errno == ESRCH, "the monitor ended and was reaped")
        #expect(try Self.cgroupGone(container))
    }

    /// Killed after it made the cgroup, the monitor cannot take it back: the run does, once the
    /// process cloned ahead has seen its socket end and exited.
    @Test func aMonitorKilledAfterThePreviewHasItsCgroupTakenBackByTheRun() throws {
        let container = try BusyboxContainer(["echo", "started anew"])
        defer { container.remove() }
        let pending = try ContainerLauncher.startAhead(monitorPath: BusyboxContainer.monitorPath)
        pending.preview(container.spec, encoded: try container.spec.encoded(), containerDirectory: container.directory)
        #expect(try Deadline.wait(timeout: 10) { try Self.cgroupExists(container) })
        kill(pending.pid, SIGKILL)
        #expect(Deadline.wait(timeout: 10) { Self.isZombie(pending.pid) })
        // The start finds it gone, takes its cgroup back, and starts another monitor.
        try container.spec.write(toContainerDirectory: container.directory)
        _ = try ContainerLauncher.start(containerDirectory: container.directory, monitorPath: BusyboxContainer.monitorPath,
                                        pending: pending, specRewritten: false)
        #expect(try container.waitForExit().exitCode == 0)
        #expect(try container.output() == "started anew\n")
        try container.expectCleanedUp()

        let abandoned = try BusyboxContainer(["true"])
        defer { abandoned.remove() }
        var second: PendingMonitor? = try ContainerLauncher.startAhead(monitorPath: BusyboxContainer.monitorPath)
        second!.preview(abandoned.spec, encoded: try abandoned.spec.encoded(), containerDirectory: abandoned.directory)
        #expect(try Deadline.wait(timeout: 10) { try Self.cgroupExists(abandoned) })
        kill(second!.pid, SIGKILL)
        second = nil
        #expect(try Self.cgroupGone(abandoned))
    }

    /// A spec the monitor cannot decode fails the start with the reason, once the container
    /// is handed over; nothing of it stays.
    @Test func anUndecodablePreviewFailsTheStartCleanly() throws {
        let container = try BusyboxContainer(["true"])
        defer { container.remove() }
        let (monitor, ours) = try Self.monitorOnSocket()
        #expect(MonitorHandOff.preview(directory: container.directory, spec: Array("{\"not\": \"a spec\"".utf8)).send(to: ours))
        try container.spec.write(toContainerDirectory: container.directory)
        #expect(MonitorHandOff.handed(directory: container.directory, specRewritten: false).send(to: ours))
        close(ours)
        let ended = try monitor.finish()
        #expect(ended.status != 0)
        #expect(ended.output.hasPrefix("error ") && ended.output.contains("container spec"), "\(ended.output)")
        #expect(try ContainerState.read(fromContainerDirectory: container.directory)?.error != nil)
        try container.expectCleanedUp()
    }

    /// What is not a frame of cell's (garbage, a length of 4 GiB) ends the monitor at once,
    /// having made nothing and reported nothing.
    @Test func framesThatAreNotCellsEndTheMonitorQuietly() throws {
        let header: [UInt8] = [UInt8(ascii: "P"), 0xff, 0xff, 0xff, 0xff]
        for bytes in [Array("garbage\0".utf8), header, [UInt8(ascii: "H"), 0, 0, 0, 1, 7], [UInt8(ascii: "H"), 0, 0, 0, 2, 0, 0]] {
            let (monitor, ours) = try Self.monitorOnSocket()
            _ = bytes.withUnsafeBytes { send(ours, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            let ended = try monitor.finish()
            close(ours)
            #expect(ended.status == 0, "\(bytes)")
            #expect(ended.output.isEmpty)
        }
    }

    @Test func framesRoundTrip() {
        let messages: [MonitorHandOff] = [.preview(directory: "/var/lib/cell/containers/abc", spec: Array("{}".utf8)),
                                          .preview(directory: "/d", spec: []),
                                          .handed(directory: "/var/lib/cell/containers/abc", specRewritten: true),
                                          .handed(directory: "/d", specRewritten: false)]
        for message in messages { #expect(MonitorHandOff(frame: message.frame) == message) }
        // No directory, a NUL in one, a frame cut short or too long.
        #expect(MonitorHandOff(frame: [UInt8(ascii: "P"), 0, 0, 0, 1, 0]) == nil)
        #expect(MonitorHandOff(frame: [UInt8(ascii: "H"), 0, 0, 0, 3, 0, 0, 0x41]) == nil)
        #expect(MonitorHandOff(frame: Array(MonitorHandOff.handed(directory: "/d", specRewritten: true).frame.dropLast())) == nil)
        #expect(MonitorHandOff(frame: MonitorHandOff.handed(directory: "/d", specRewritten: true).frame + [0]) == nil)
    }

    /// A monitor reading its hand-off from a socket whose other end is returned, its start
    /// result going to a pipe.
    static func monitorOnSocket() throws -> (HandOffMonitor, Int32) {
        var ends: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0)
        let monitor = try HandOffMonitor(socket: ends[1])
        close(ends[1])
        return (monitor, ends[0])
    }
}

/// `cell-monitor --sync-fd 3 --directory-fd 4` with fd 4 a given socket.
struct HandOffMonitor {
    let pid: pid_t
    let result: PipePair

    init(socket: Int32) throws {
        result = try PipePair()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, result.writeEnd, 3)
        posix_spawn_file_actions_adddup2(&actions, socket, 4)
        let arguments = [BusyboxContainer.monitorPath, "--sync-fd", "3", "--directory-fd", "4"]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
        guard spawned == 0 else { throw CellError.system("spawn the monitor: \(spawned)") }
        self.pid = pid
        result.closeWriteEnd()
    }

    /// Waits for the monitor to exit: its status and what it reported on the start pipe.
    func finish() throws -> (status: Int32, output: String) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(result.readEnd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return ((status >> 8) & 0xff, String(decoding: bytes, as: UTF8.self))
    }
}
