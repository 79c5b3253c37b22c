#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root")) struct AttachTests {
    /// Attaches in a thread; returns the outcome and what arrived on stdout/stderr.
    func attach(_ container: BusyboxContainer, stdin input: [UInt8]?) throws -> (ContainerAttach.Outcome, String, String) {
        let base = "\(container.temporary.path)/attach-\(FileSystem.randomSuffix())"
        try FileSystem.writeAtomically(input ?? [], to: "\(base).in")
        let stdin = try FileDescriptorHandle(path: "\(base).in", flags: O_RDONLY)
        let stdout = try FileDescriptorHandle(path: "\(base).out", flags: O_WRONLY | O_CREAT | O_TRUNC)
        let stderr = try FileDescriptorHandle(path: "\(base).err", flags: O_WRONLY | O_CREAT | O_TRUNC)
        let outcome = try ContainerAttach.attach(containerDirectory: container.directory, stdin: input != nil,
                                                 streams: .init(input: stdin.fd, output: stdout.fd, error: stderr.fd))
        return (outcome, String(decoding: try FileSystem.readFile("\(base).out"), as: UTF8.self),
                String(decoding: try FileSystem.readFile("\(base).err"), as: UTF8.self))
    }

    @Test func attachForwardsStdinAndReceivesOutputAndExitStatus() throws {
        // -i, detached: the container's stdin stays a pipe until an attach client ends it.
        let container = try BusyboxContainer(["sh", "-c", "while read line; do echo \"out $line\"; echo \"err $line\" >&2; done; exit 5"])
        defer { container.remove() }
        try container.spec.write(toContainerDirectory: container.directory)
        _ = try ContainerLauncher.start(containerDirectory: container.directory, monitorPath: BusyboxContainer.monitorPath,
                                        attach: false, interactive: true)
        var st = stat()
        #expect(lstat(AttachFrame.socketPath(containerDirectory: container.directory), &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        let (outcome, output, errorOutput) = try attach(container, stdin: Array("one\ntwo\n".utf8))
        #expect(outcome == .exited(5))
        #expect(output == "out one\nout two\n")
        #expect(errorOutput == "err one\nerr two\n")
        #expect(try container.waitForExit().exitCode == 5)
        #expect(!FileSystem.exists(AttachFrame.socketPath(containerDirectory: container.directory)))
        try container.expectCleanedUp()
        let stopped = #expect(throws: CellError.self) { try attach(container, stdin: nil) }
        #expect(stopped?.message == "You cannot attach to a stopped container, start it first")
    }

    @Test func attachWithoutStdinReceivesLaterOutput() throws {
        let container = try BusyboxContainer.running("true") { container in
            container.spec.process.arguments = ["sh", "-c", "echo ready; while test ! -e /tmp/go; do sleep 0.05; done; echo after; exit 3"]
        }
        defer { container.remove() }
        // The client connects first; the container is then told to go on by a file made from
        // the host (an exec could be killed with the container's pid namespace as it ends).
        var result: (ContainerAttach.Outcome, String, String)? = nil
        var failure: (any Error)? = nil
        let thread = try TestThread {
            do { result = try attach(container, stdin: nil) } catch { failure = error }
        }
        // The client is connected once the monitor has accepted it: wait on that condition.
        #expect(Deadline.wait(timeout: 10) { AttachTests.connectedClients(container) > 0 })
        let pid = try #require(try ContainerState.read(fromContainerDirectory: container.directory)).pid
        let made = open("/proc/\(pid)/root/tmp/go", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        #expect(made >= 0)
        close(made)
        thread.join()
        #expect(failure == nil)
        #expect(result?.0 == .exited(3))
        #expect(result?.1 == "after\n")
    }

    @Test func detachKeys() {
        var keys = DetachKeys()
        #expect(keys.scan([0x61, 0x10][...]) == ([0x61], false))
        #expect(keys.scan([0x62][...]) == ([0x10, 0x62], false))
        #expect(keys.scan([0x10, 0x11, 0x63][...]) == ([], true))
        var frames = AttachFrame.encode(.stdout, Array("hi".utf8)[...]) + AttachFrame.exit(-1) + [1, 0]
        let decoded = AttachFrame.decode(&frames)
        #expect(decoded.map(\.kind) == [.stdout, .exit])
        #expect(frames == [1, 0])
    }

    /// Unix sockets connected to the monitor's listener path, from /proc/net/unix.
    static func connectedClients(_ container: BusyboxContainer) -> Int {
        guard let state = try? ContainerState.read(fromContainerDirectory: container.directory),
              let text = try? FileSystem.readFile("/proc/\(state.monitorPid)/net/unix") else { return 0 }
        let path = AttachFrame.socketPath(containerDirectory: container.directory)
        // The listener is listed with the path; each accepted socket also carries it.
        return String(decoding: text, as: UTF8.self).split(separator: "\n").filter { $0.hasSuffix(path) }.count - 1
    }
}

/// A pthread running a closure, for a blocking call a test must overlap with another.
final class TestThread {
    private var thread = pthread_t()
    private let body: () -> Void

    init(_ body: @escaping () -> Void) throws {
        self.body = body
        let box = Unmanaged.passRetained(self)
        let result = pthread_create(&thread, nil, { raw in
            let me = Unmanaged<TestThread>.fromOpaque(raw!).takeRetainedValue()
            me.body()
            return nil
        }, box.toOpaque())
        if result != 0 { box.release(); throw CellError.system("pthread_create: \(result)") }
    }

    func join() { pthread_join(thread, nil) }
}
