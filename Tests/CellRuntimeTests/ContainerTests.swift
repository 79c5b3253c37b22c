#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime
import Testing

/// End to end on the real kernel: spec → monitor → namespaces, overlay, cgroup → log and state.
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root")) struct ContainerTests {
    @Test func echoLandsInTheLogWithStreamAndTime() throws {
        let container = try BusyboxContainer(["sh", "-c", "echo hello; echo oops >&2"])
        defer { container.remove() }
        let state = try container.run()
        #expect(state.exitCode == 0)
        #expect(state.exitSignal == 0)
        #expect(state.startedAt != nil && state.finishedAt != nil && state.startedAt! <= state.finishedAt!)
        let lines = try container.logLines()
        #expect(lines.map(\.text).sorted() == ["hello\n", "oops\n"])
        #expect(lines.first { $0.text == "hello\n" }?.stream == "stdout")
        #expect(lines.first { $0.text == "oops\n" }?.stream == "stderr")
        for line in lines { #expect(Timestamp(rfc3339: line.time) != nil) }
        try container.expectCleanedUp()
    }

    @Test func exitCodePassesThrough() throws {
        let container = try BusyboxContainer(["sh", "-c", "exit 3"])
        defer { container.remove() }
        #expect(try container.run().exitCode == 3)
        try container.expectCleanedUp()
    }

    @Test func missingCommandIsNotFound() throws {
        let container = try BusyboxContainer(["no-such-command"])
        defer { container.remove() }
        let error = #expect(throws: CellError.self) { try container.start() }
        #expect(error?.kind == .commandNotFound)
        #expect(error?.message == "exec: \"no-such-command\": executable file not found in $PATH")
        let state = try ContainerState.read(fromContainerDirectory: container.directory)
        #expect(state?.status == .created)
        #expect(state?.exitCode == 127)
        try container.expectCleanedUp()
    }

    @Test func nonExecutableFileIsNotExecutable() throws {
        let container = try BusyboxContainer(["/etc/not-executable"])
        defer { container.remove() }
        let error = #expect(throws: CellError.self) { try container.start() }
        #expect(error?.kind == .commandNotExecutable)
        #expect(error?.exitCode == 126)
        try container.expectCleanedUp()
    }

    @Test func setupFailureNamesTheStage() throws {
        let container = try BusyboxContainer(["true"])
        defer { container.remove() }
        container.spec.mounts = [.bind(source: "\(container.temporary.path)/missing", destination: "/data", access: .readWrite)]
        let error = #expect(throws: CellError.self) { try container.start() }
        #expect(error?.kind == .setup)
        #expect(error?.message == "mount \(container.temporary.path)/missing on /data: No such file or directory")
        try container.expectCleanedUp()
    }

    @Test func commandIsPidOneWithItsOwnHostnameAndProc() throws {
        let container = try BusyboxContainer(["sh", "-c", "echo $$; hostname; echo /proc/[0-9]*"])
        defer { container.remove() }
        container.spec.hostname = "box"
        #expect(try container.run().exitCode == 0)
        #expect(try container.output() == "1\nbox\n/proc/1\n")
    }

    @Test func hostRootIsInvisibleAndWritesLandInUpper() throws {
        let container = try BusyboxContainer([])
        defer { container.remove() }
        let marker = "\(container.temporary.path)/host-marker"
        try FileSystem.writeAtomically([], to: marker)
        container.spec.process.arguments = ["sh", "-c", "test -e \(marker) && echo visible; echo data > /tmp/new; cat /tmp/new"]
        #expect(try container.run().exitCode == 0)
        #expect(try container.output() == "data\n")
        #expect(try FileSystem.readFile("\(container.upper)/tmp/new") == Array("data\n".utf8))
        #expect(!FileSystem.exists("\(container.lower)/tmp/new"))
    }

    @Test func userWorkingDirectoryMountsAndNetwork() throws {
        let container = try BusyboxContainer(["sh", "-c", """
            id -u; id -g; pwd; cat /data/file; touch /data/x 2>/dev/null || echo ro; \
            cat /sys/class/net/lo/flags; cat /proc/kcore | wc -c; \
            grep -q ' /proc/sys ro,' /proc/self/mountinfo && echo sysro; readlink /dev/ptmx; test -c /dev/null && echo null
            """])
        defer { container.remove() }
        let data = "\(container.temporary.path)/data"
        try FileSystem.createDirectory(data)
        try FileSystem.writeAtomically(Array("shared\n".utf8), to: "\(data)/file")
        container.spec.process.uid = 65534
        container.spec.process.gid = 65534
        container.spec.process.workingDirectory = "/srv/app"
        container.spec.mounts = [.bind(source: data, destination: "/data", access: .readOnly)]
        #expect(try container.run().exitCode == 0)
        #expect(try container.output() == "65534\n65534\n/srv/app\nshared\nro\n0x9\n0\nsysro\npts/ptmx\nnull\n")
    }

    @Test func readOnlyRootAndHostNetwork() throws {
        let container = try BusyboxContainer(["sh", "-c", "touch /new 2>/dev/null || echo ro; echo > /scratch/ok && echo tmpfs; readlink /proc/self/ns/net"])
        defer { container.remove() }
        container.spec.readOnlyRootFilesystem = true
        container.spec.network = .host
        container.spec.mounts = [.tmpfs(destination: "/scratch", options: "size=1m")]
        #expect(try container.run().exitCode == 0)
        var buffer = [CChar](repeating: 0, count: 256)
        let n = readlink("/proc/self/ns/net", &buffer, buffer.count - 1)
        let hostNamespace = String(decoding: buffer[0..<max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #expect(try container.output() == "ro\ntmpfs\n\(hostNamespace)\n")
        try container.expectCleanedUp()
    }

    @Test func bindDestinationsStayInsideTheRoot() throws {
        let container = try BusyboxContainer(["sh", "-c", "cat /escape/file"])
        defer { container.remove() }
        // A symlink in the image pointing at a path that also exists on the host: the mount
        // must land on the container's own copy of that path, never on the host's.
        let target = "/tmp/\(FileSystem.basename(of: container.temporary.path))/outside"
        symlink(target, "\(container.lower)/escape")
        try FileSystem.createDirectory(container.lower + target)
        let source = "\(container.temporary.path)/source"
        try FileSystem.createDirectory(source)
        try FileSystem.writeAtomically(Array("bound\n".utf8), to: "\(source)/file")
        try FileSystem.createDirectory("\(container.temporary.path)/outside")
        container.spec.mounts = [.bind(source: source, destination: "/escape", access: .readWrite)]
        #expect(try container.run().exitCode == 0)
        #expect(try container.output() == "bound\n")
        #expect(try FileSystem.contentsOfDirectory("\(container.temporary.path)/outside").isEmpty)

        // A dangling symlink is refused rather than followed.
        let dangling = try BusyboxContainer(["true"])
        defer { dangling.remove() }
        symlink("/tmp/nowhere-\(dangling.id)", "\(dangling.lower)/escape")
        dangling.spec.mounts = [.bind(source: source, destination: "/escape", access: .readWrite)]
        let error = #expect(throws: CellError.self) { try dangling.start() }
        #expect(error?.kind == .setup)
        #expect(!FileSystem.exists("/tmp/nowhere-\(dangling.id)"))
    }

    @Test func containerJoinsItsCgroupAndCgroupKillTakesEveryProcess() throws {
        let container = try BusyboxContainer(["sh", "-c", "cat /proc/self/cgroup; sleep 1000 & sleep 1000; true"])
        defer { container.remove() }
        let started = try container.start()
        let cgroup = try container.cgroup
        let three = try Deadline.wait(timeout: 10) { try cgroup.processes().count == 3 }
        #expect(three)
        #expect(try cgroup.processes().contains(started.pid))
        // Seen from the host: in its cgroup in every hierarchy (cloned straight into the v2
        // one, moved into the v1 ones by its only thread), and so are its children.
        let hostView = String(decoding: try FileSystem.readFile("/proc/\(started.pid)/cgroup"), as: UTF8.self)
        #expect(hostView.contains(":/cell-test-\(container.id)/\(container.id)\n"))
        if container.cgroupLayoutHasUnifiedHierarchy {
            #expect(hostView.contains("0::/cell-test-\(container.id)/\(container.id)\n"))
        }
        for directory in cgroup.directories {
            let pids = String(decoding: try FileSystem.readFile("\(directory)/cgroup.procs"), as: UTF8.self)
                .split(separator: "\n").compactMap { Int32($0) }
            #expect(pids.count == 3 && pids.contains(started.pid), "\(directory): \(pids)")
        }
        try cgroup.killAll()
        let state = try container.waitForExit()
        #expect(state.exitCode == 137)
        #expect(state.exitSignal == SIGKILL)
        // Seen from inside: a cgroup namespace of its own, rooted at that cgroup.
        let membership = try container.output()
        #expect(!membership.isEmpty && membership.split(separator: "\n").allSatisfy { $0.hasSuffix(":/") })
        try container.expectCleanedUp()
    }

    @Test func stopSendsTermThenKill() throws {
        let trapping = try BusyboxContainer(["sh", "-c", "trap 'exit 0' TERM; echo ready; while true; do sleep 1; done"])
        defer { trapping.remove() }
        _ = try trapping.start()
        #expect(try Deadline.wait(timeout: 10) { (try? trapping.output()) == "ready\n" })
        let stopped = try ContainerSignaller.stop(containerDirectory: trapping.directory, timeout: 10)
        #expect(stopped?.status == .exited)
        #expect(stopped?.exitCode == 0)

        // pid 1 without a TERM handler ignores it: the stop escalates to SIGKILL.
        let stubborn = try BusyboxContainer(["sleep", "1000"])
        defer { stubborn.remove() }
        _ = try stubborn.start()
        let killed = try ContainerSignaller.stop(containerDirectory: stubborn.directory, timeout: 0.3)
        #expect(killed?.exitCode == 137)
        #expect(try ContainerSignaller.signal(containerDirectory: stubborn.directory, signal: SIGTERM) == false)
        try stubborn.expectCleanedUp()
    }

    @Test func terminalIsAControllingPty() throws {
        let container = try BusyboxContainer(["sh", "-c", "test -t 0 && test -t 1 && echo tty; echo controlling > /dev/tty"])
        defer { container.remove() }
        container.spec.process.terminal = true
        #expect(try container.run().exitCode == 0)
        let lines = try container.logLines()
        // The pty's line discipline turns "\n" into "\r\n"; everything is logged as stdout.
        #expect(lines.map(\.text) == ["tty\r\n", "controlling\r\n"])
        #expect(lines.allSatisfy { $0.stream == "stdout" })
        #expect(lines.count == 2)
        try container.expectCleanedUp()
    }

    @Test func publishedPortReachesTheContainer() throws {
        let container = try BusyboxContainer(["httpd", "-f", "-p", "8080", "-h", "/www"])
        defer { container.remove() }
        try FileSystem.createDirectory("\(container.lower)/www")
        try FileSystem.writeAtomically(Array("served from the container\n".utf8), to: "\(container.lower)/www/index.html")
        let hostPort = UInt16(20_000 + Int(getpid() % 20_000))
        container.spec.ports = [.init(hostAddress: "127.0.0.1", hostPort: hostPort, containerPort: 8080)]
        _ = try container.start()
        // Until httpd listens, the proxy's connect is refused and the client sees an empty reply.
        var response = ""
        let served = Deadline.wait(timeout: 10) {
            response = HTTP.get(port: hostPort, path: "/index.html")
            return response.contains("served from the container")
        }
        #expect(served, "last response: \(response)")
        try container.cgroup.killAll()
        #expect(try container.waitForExit().exitCode == 137)
        try container.expectCleanedUp()
    }

    @Test func attachedMonitorForwardsSignals() throws {
        let container = try BusyboxContainer(["sh", "-c", "trap 'exit 130' INT; echo ready >&2; sleep 1000 & wait"])
        defer { container.remove() }
        let started = try container.start(attach: true)
        #expect(try Deadline.wait(timeout: 10) { (try? container.logLines().map(\.text)) == ["ready\n"] })
        kill(started.monitorPid, SIGINT)
        #expect(ContainerLauncher.waitForExit(started) == 130)
        try container.expectCleanedUp()
    }

    @Test func attachedMonitorExitsWithTheContainersStatus() throws {
        let container = try BusyboxContainer(["sh", "-c", "exit 7"])
        defer { container.remove() }
        let started = try container.start(attach: true)
        #expect(ContainerLauncher.waitForExit(started) == 7)
        #expect(try ContainerState.read(fromContainerDirectory: container.directory)?.exitCode == 7)
    }
}

/// A minimal HTTP/1.0 client over a blocking socket.
enum HTTP {
    static func get(port: UInt16, path: String) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "" }
        let request = Array("GET \(path) HTTP/1.0\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            response += chunk[0..<n]
        }
        return String(decoding: response, as: UTF8.self)
    }
}
