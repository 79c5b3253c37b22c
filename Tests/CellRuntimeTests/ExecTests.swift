#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellRuntime
import Testing

/// What an exec printed, read back from the files its streams went to.
struct ExecResult {
    var status: Int32
    var output: String
    var errorOutput: String
}

extension BusyboxContainer {
    /// Starts `arguments` detached and waits until it has printed "ready" (so pid 1 runs the
    /// command, not the shell that started it).
    static func running(_ script: String, configure: (BusyboxContainer) throws -> Void = { _ in }) throws -> BusyboxContainer {
        let container = try BusyboxContainer(["sh", "-c", "\(script); echo ready; exec sleep 1000"])
        do {
            try configure(container)
            _ = try container.start()
            let ready = Deadline.wait(timeout: 10) { (try? container.output())?.hasSuffix("ready\n") == true }
            if !ready { throw CellError.system("container did not become ready: \((try? container.output()) ?? "")") }
        } catch {
            container.remove()
            throw error
        }
        return container
    }

    /// `cell exec` with the streams in files; `input` is fed to stdin.
    func exec(_ options: ContainerExec.Options, input: [UInt8]? = nil) throws -> ExecResult {
        let base = "\(temporary.path)/exec-\(FileSystem.randomSuffix())"
        try FileSystem.writeAtomically(input ?? [], to: "\(base).in")
        let stdin = try FileDescriptorHandle(path: "\(base).in", flags: O_RDONLY)
        let stdout = try FileDescriptorHandle(path: "\(base).out", flags: O_WRONLY | O_CREAT | O_TRUNC)
        let stderr = try FileDescriptorHandle(path: "\(base).err", flags: O_WRONLY | O_CREAT | O_TRUNC)
        let status = try ContainerExec.run(containerDirectory: directory, options: options,
                                           streams: .init(input: stdin.fd, output: stdout.fd, error: stderr.fd))
        return ExecResult(status: status,
                          output: String(decoding: try FileSystem.readFile("\(base).out"), as: UTF8.self),
                          errorOutput: String(decoding: try FileSystem.readFile("\(base).err"), as: UTF8.self))
    }

    func exec(_ arguments: [String]) throws -> ExecResult { try exec(.init(arguments: arguments)) }
}

func readLink(_ path: String) -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink(path, &buffer, buffer.count - 1)
    return String(decoding: buffer[0..<max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root")) struct ExecTests {
    @Test func execSeesTheContainersHostnameProcessesFilesAndEnvironment() throws {
        let container = try BusyboxContainer.running("echo data > /tmp/marker") { container in
            container.spec.hostname = "box"
            container.spec.process.environment = ["PATH=/bin", "GREETING=hello"]
        }
        defer { container.remove() }
        let pid1 = try #require(try ContainerState.read(fromContainerDirectory: container.directory)).pid
        let result = try container.exec(.init(arguments: ["sh", "-c", """
            hostname; cat /tmp/marker; echo "$GREETING $EXTRA $HOSTNAME $HOME"; cat /proc/1/cmdline; echo; \
            readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt; readlink /proc/self/ns/net; echo $PPID
            """], environment: ["EXTRA=more"]))
        #expect(result.status == 0)
        #expect(result.errorOutput == "")
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count >= 8)
        guard lines.count >= 8 else { return }
        #expect(lines[0] == "box")
        #expect(lines[1] == "data")
        #expect(lines[2] == "hello more box /root")
        #expect(lines[3] == "sleep\u{0}1000\u{0}")
        #expect(lines[4] == readLink("/proc/\(pid1)/ns/pid"))
        #expect(lines[5] == readLink("/proc/\(pid1)/ns/mnt"))
        #expect(lines[6] == readLink("/proc/\(pid1)/ns/net"))
        // Its parent (us) is outside the container's pid namespace.
        #expect(lines[7] == "0")
        #expect(lines[4] != readLink("/proc/self/ns/pid"))
    }

    @Test func exitStatusAndSeparateStreams() throws {
        let container = try BusyboxContainer.running("true")
        defer { container.remove() }
        let result = try container.exec(["sh", "-c", "echo out; echo err >&2; exit 7"])
        #expect(result.status == 7)
        #expect(result.output == "out\n")
        #expect(result.errorOutput == "err\n")
        #expect(try container.exec(["sh", "-c", "kill -9 $$"]).status == 137)
        #expect(try container.exec(["false"]).status == 1)
        // The container is not affected by its exec'd processes ending.
        #expect(try ContainerState.read(fromContainerDirectory: container.directory)?.status == .running)
    }

    @Test func stdinIsForwardedAndEndsWithOurs() throws {
        let container = try BusyboxContainer.running("true")
        defer { container.remove() }
        let small = try container.exec(.init(arguments: ["cat"], interactive: true), input: Array("hello\n".utf8))
        #expect(small.status == 0)
        #expect(small.output == "hello\n")
        // More than pipes hold in both directions at once: no deadlock, every byte back.
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 2 << 20)
        let start = Deadline.monotonicNow()
        let echoed = try container.exec(.init(arguments: ["cat"], interactive: true), input: big)
        print("2 MiB through exec -i cat: \((Deadline.monotonicNow() - start) * 1000) ms")
        #expect(echoed.status == 0)
        #expect(echoed.output.utf8.count == big.count)
        // Without -i the process reads end of file at once.
        let closed = try container.exec(.init(arguments: ["cat"]), input: Array("ignored\n".utf8))
        #expect(closed.output == "")
    }

    @Test func userAndWorkingDirectory() throws {
        let container = try BusyboxContainer.running("true") { container in
            try FileSystem.writeAtomically(Array("root:x:0:\nstaff:x:50:nobody\nnogroup:x:65534:\n".utf8),
                                           to: "\(container.lower)/etc/group")
        }
        defer { container.remove() }
        let nobody = try container.exec(.init(arguments: ["sh", "-c", "id -u; id -g; id -G; echo $HOME; pwd"], workingDirectory: "/tmp", user: "nobody"))
        #expect(nobody.status == 0)
        #expect(nobody.output == "65534\n65534\n65534 50\n/nonexistent\n/tmp\n")
        let numeric = try container.exec(.init(arguments: ["sh", "-c", "id -u; id -g"], user: "1234"))
        #expect(numeric.output == "1234\n0\n")
        let withGroup = try container.exec(.init(arguments: ["sh", "-c", "id -u; id -G"], user: "nobody:root"))
        #expect(withGroup.output == "65534\n0\n")
        let missing = #expect(throws: CellError.self) { try container.exec(.init(arguments: ["true"], user: "nosuch")) }
        #expect(missing?.message == "unable to find user nosuch: no matching entries in passwd file")
        let noDirectory = #expect(throws: CellError.self) { try container.exec(.init(arguments: ["true"], workingDirectory: "/nonexistent")) }
        #expect(noDirectory?.exitCode == 126)
        #expect(noDirectory?.message == "chdir to cwd (\"/nonexistent\") set in config.json failed: no such file or directory")
    }

    @Test func missingAndNonExecutableCommands() throws {
        let container = try BusyboxContainer.running("true")
        defer { container.remove() }
        let missing = #expect(throws: CellError.self) { try container.exec(["nosuch"]) }
        #expect(missing?.exitCode == 127)
        #expect(missing?.message == "exec: \"nosuch\": executable file not found in $PATH")
        let notExecutable = #expect(throws: CellError.self) { try container.exec(["/etc/not-executable"]) }
        #expect(notExecutable?.exitCode == 126)
    }

    @Test func execIntoAStoppedContainerFails() throws {
        let container = try BusyboxContainer(["true"])
        defer { container.remove() }
        _ = try container.run()
        let error = #expect(throws: CellError.self) { try container.exec(["true"]) }
        #expect(error?.kind == .conflict)
        #expect(error?.message == "container \(container.id) is not running")
        let never = try BusyboxContainer(["true"])
        defer { never.remove() }
        #expect(throws: CellError.self) { try never.exec(["true"]) }
    }

    @Test func execJoinsTheCgroupAndLeavesNothingBehind() throws {
        let container = try BusyboxContainer.running("true")
        defer { container.remove() }
        let cgroup = try container.cgroup
        let pid1 = try #require(try ContainerState.read(fromContainerDirectory: container.directory)).pid
        let mountsBefore = try FileSystem.readFile("/proc/self/mountinfo")

        // In the container's cgroup namespace: its cgroup is its "/".
        let membership = try container.exec(["cat", "/proc/self/cgroup"])
        #expect(!membership.output.isEmpty && membership.output.split(separator: "\n").allSatisfy { $0.hasSuffix(":/") })

        // A running exec is in the cgroup (every hierarchy), then gone without a trace.
        let output = try PipePair()
        let null = try FileDescriptorHandle(path: "/dev/null", flags: O_RDWR)
        let pid = try ContainerExec.spawn(containerDirectory: container.directory,
                                          process: .init(arguments: ["sh", "-c", "echo up; exec sleep 1000"], environment: ["PATH=/bin"]),
                                          stdio: .init(input: null.fd, output: output.writeEnd, error: null.fd))
        output.closeWriteEnd()
        var byte = [UInt8](repeating: 0, count: 3)
        #expect(read(output.readEnd, &byte, 3) == 3)
        #expect(try cgroup.processes().sorted() == [pid1, pid].sorted())
        for directory in cgroup.directories {
            let procs = String(decoding: try FileSystem.readFile("\(directory)/cgroup.procs"), as: UTF8.self)
            #expect(procs.split(separator: "\n").contains(Substring(String(pid))))
        }
        kill(pid, SIGKILL)
        #expect(ContainerExec.waitForExit(pid: pid) == 137)
        #expect(try cgroup.processes() == [pid1])
        #expect(try FileSystem.readFile("/proc/self/mountinfo") == mountsBefore)
        #expect(try ContainerState.read(fromContainerDirectory: container.directory)?.status == .running)

        // Stopping the container takes a running exec with it.
        let survivor = try ContainerExec.spawn(containerDirectory: container.directory,
                                               process: .init(arguments: ["sleep", "1000"], environment: ["PATH=/bin"]),
                                               stdio: .init(input: null.fd, output: null.fd, error: null.fd))
        // (It is our child: reap it as the CLI would, or its zombie keeps the cgroup busy.)
        try ContainerSignaller.signal(containerDirectory: container.directory, signal: SIGKILL)
        #expect(ContainerExec.waitForExit(pid: survivor) == 137)
        #expect(try container.waitForExit().exitCode == 137)
        try container.expectCleanedUp()
    }

    @Test func terminalExec() throws {
        let container = try BusyboxContainer.running("true")
        defer { container.remove() }
        let result = try container.exec(.init(arguments: ["sh", "-c", "test -t 0 && test -t 1 && echo tty; echo $TERM; exit 3"], tty: true))
        #expect(result.status == 3)
        #expect(result.output == "tty\r\nxterm\r\n")
        let interactive = try container.exec(.init(arguments: ["sh", "-c", "read line; echo got $line"], interactive: true, tty: true),
                                             input: Array("typed\n".utf8))
        #expect(interactive.output.hasSuffix("got typed\r\n"))
    }

    @Test func detachedExecKeepsRunning() throws {
        let container = try BusyboxContainer.running("true")
        defer { container.remove() }
        let pid1 = try #require(try ContainerState.read(fromContainerDirectory: container.directory)).pid
        #expect(try container.exec(.init(arguments: ["sh", "-c", "echo done > /tmp/detached; exec sleep 1000"], detach: true)).status == 0)
        #expect(Deadline.wait(timeout: 10) { FileSystem.exists("\(container.upper)/tmp/detached") })
        // It runs on, in the cgroup, and is not our child (init adopted it: nothing to reap).
        let others = try container.cgroup.processes().filter { $0 != pid1 }
        #expect(others.count == 1)
        if let pid = others.first {
            let stat = String(decoding: try FileSystem.readFile("/proc/\(pid)/stat"), as: UTF8.self)
            let parent = stat.split(separator: ")").last?.split(separator: " ").dropFirst().first.map(String.init)
            #expect(parent != nil && parent != String(getpid()))
        }
    }
}

@Suite struct ContainerUserTests {
    let passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n"
    let group = "root:x:0:\nwheel:x:10:app,root\nstaff:x:50:app\napp:x:1000:\n"

    @Test func namesNumbersAndGroups() throws {
        // The supplementary groups start with the primary one, as Docker has them since CVE-2022-36109.
        #expect(try ContainerUser.resolve("", passwd: passwd, group: group) == ContainerUser(uid: 0, gid: 0, additionalGids: [0, 10], home: "/root"))
        #expect(try ContainerUser.resolve("app", passwd: passwd, group: group) == ContainerUser(uid: 1000, gid: 1000, additionalGids: [1000, 10, 50], home: "/home/app"))
        #expect(try ContainerUser.resolve("1000", passwd: passwd, group: group) == ContainerUser(uid: 1000, gid: 1000, additionalGids: [1000, 10, 50], home: "/home/app"))
        #expect(try ContainerUser.resolve("4242", passwd: passwd, group: group) == ContainerUser(uid: 4242, gid: 0, additionalGids: [0], home: "/"))
        #expect(try ContainerUser.resolve("app:staff", passwd: passwd, group: group) == ContainerUser(uid: 1000, gid: 50, additionalGids: [50], home: "/home/app"))
        #expect(try ContainerUser.resolve("4242:4343", passwd: passwd, group: group) == ContainerUser(uid: 4242, gid: 4343, additionalGids: [4343]))
        #expect(try ContainerUser.resolve("0", passwd: "", group: "") == ContainerUser(uid: 0, gid: 0, additionalGids: [0]))
        // --group-add: names from /etc/group, or numbers, after the rest.
        #expect(try ContainerUser.resolve("app", passwd: passwd, group: group, additionalGroups: ["staff", "77", "root"])
                == ContainerUser(uid: 1000, gid: 1000, additionalGids: [1000, 10, 50, 77, 0], home: "/home/app"))
        let unknown = #expect(throws: CellError.self) { try ContainerUser.resolve("app", passwd: passwd, group: group, additionalGroups: ["nosuch"]) }
        #expect(unknown?.message == "Unable to find group nosuch: no matching entries in group file")
        #expect(throws: CellError.self) { try ContainerUser.resolve("nosuch", passwd: passwd, group: group) }
        let error = #expect(throws: CellError.self) { try ContainerUser.resolve("app:nosuch", passwd: passwd, group: group) }
        #expect(error?.message == "unable to find group nosuch: no matching entries in group file")
    }
}
