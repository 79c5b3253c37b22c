import Foundation
import Testing

/// The hijacked streams of `cell system service` (attach, exec start), driven by the clients
/// no one here wrote: what the docker CLI 28 prints and exits with, what docker-py returns.
@Suite(.enabled(if: EngineService.hasDockerCLI, "needs the docker CLI at /usr/local/bin/docker"))
struct EngineAPIHijackTests {
    @Test func dockerRunShowsTheOutputAndPassesTheExitCode() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }

        let hi = try service.docker("run", "--rm", "busybox", "echo", "hi")
        #expect(hi.status == 0 && hi.stdout == "hi\n")
        let both = try service.docker("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2")
        #expect(both.stdout == "out\n" && both.stderr == "err\n")
        let three = try service.docker("run", "--rm", "busybox", "sh", "-c", "exit 3")
        #expect(three.status == 3)
        // -i: the piped stdin reaches cat, and its end (the CLI's half-close) ends cat.
        let piped = try Command.run(EngineService.dockerCLI, ["run", "-i", "--rm", "busybox", "cat"], stdin: Data("abc\n".utf8),
                                    environment: ["DOCKER_HOST": service.dockerHost, "DOCKER_CONFIG": root.file("docker-config")])
        #expect(piped.status == 0 && piped.stdout == "abc\n")
        // Every --rm container went with its exit.
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
    }

    @Test func dockerExecRunsInTheContainer() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try service.docker("run", "-d", "--name", "box", "-e", "WHO=box", "busybox", "sleep", "1000").expectSuccess()

        let echo = try service.docker("exec", "box", "echo", "x")
        #expect(echo.status == 0 && echo.stdout == "x\n")
        let piped = try Command.run(EngineService.dockerCLI, ["exec", "-i", "box", "cat"], stdin: Data("piped\n".utf8),
                                    environment: ["DOCKER_HOST": service.dockerHost, "DOCKER_CONFIG": root.file("docker-config")])
        #expect(piped.status == 0 && piped.stdout == "piped\n")
        let streams = try service.docker("exec", "-e", "EXTRA=1", "-w", "/tmp", "box", "sh", "-c", "echo $WHO$EXTRA $(pwd); echo err >&2; exit 5")
        #expect(streams.status == 5 && streams.stdout == "box1 /tmp\n" && streams.stderr == "err\n")
        let user = try service.docker("exec", "-u", "nobody", "box", "id", "-un")
        #expect(user.stdout == "nobody\n")
        // Docker's words for what cannot run, and its exit codes.
        let missing = try service.docker("exec", "box", "nosuch")
        #expect(missing.status == 127)
        #expect(missing.stdout.contains("exec: \"nosuch\": executable file not found in $PATH"))
        let unknownUser = try service.docker("exec", "-u", "nosuchuser", "box", "id")
        #expect(unknownUser.status == 1 && unknownUser.stderr.contains("unable to find user nosuchuser"))
        // The same container from the CLI's side: one store.
        #expect(try root.cell("exec", "box", "echo", "cli").stdout == "cli\n")

        try root.cell("pause", "box").expectSuccess()
        let paused = try service.docker("exec", "box", "true")
        #expect(paused.status != 0 && paused.stderr.contains("is paused, unpause the container before exec"))
        try root.cell("unpause", "box").expectSuccess()
        try root.cell("stop", "-t", "0", "box").expectSuccess()
        let stopped = try service.docker("exec", "box", "true")
        #expect(stopped.status != 0 && stopped.stderr.contains("is not running"))
    }

    /// `docker exec -it C sh` on a pty of python's: the container's terminal, its size, the exit.
    @Test func dockerExecWithATerminal() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try service.docker("run", "-d", "--name", "box", "busybox", "sleep", "1000").expectSuccess()
        let driver = TerminalTests.ptyPrelude + #"""
        wait_for(b"# ")
        os.write(fd, b"tty; echo size=$(stty size)\n")
        wait_for(b"size=33 77")
        os.write(fd, b"exit 7\n")
        _, status = os.waitpid(pid, 0)
        print("exit", os.WEXITSTATUS(status))
        print("pts" if b"/dev/pts/" in seen else "no pts")
        """#
        let result = try Command.run("/usr/bin/python3", ["-c", driver, EngineService.dockerCLI, "exec", "-it", "box", "sh"],
                                     environment: ["DOCKER_HOST": service.dockerHost, "DOCKER_CONFIG": root.file("docker-config")])
        #expect(result.stdout == "exit 7\npts\n", "\(result.stderr)")
    }

    /// `docker attach` to a running container: its output from then on, its exit code.
    @Test func dockerAttachFollowsARunningContainer() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        try service.docker("run", "-d", "--name", "ticker", "busybox", "sh", "-c",
                           "while [ ! -e /go ]; do echo tick; sleep 0.1; done; echo done; exit 6").expectSuccess()
        let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", "ticker").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // python reads the attach's output until it ticks (attached), then lets the container end.
        let driver = #"""
        import subprocess, sys
        docker, container, signal = sys.argv[1:4]
        attach = subprocess.Popen([docker, "attach", container], stdout=subprocess.PIPE)
        while b"tick" not in attach.stdout.readline():
            pass
        open(signal, "w").close()
        rest = attach.stdout.read()
        print(attach.wait(), b"done" in rest)
        """#
        let attached = try Command.run("/usr/bin/python3", ["-c", driver, EngineService.dockerCLI, "ticker", "/proc/\(pid)/root/go"],
                                       environment: ["DOCKER_HOST": service.dockerHost, "DOCKER_CONFIG": root.file("docker-config")])
        #expect(attached.stdout == "6 True\n", "\(attached.stderr)")
        // The CLI's own refusal for a stopped container.
        let stopped = try service.docker("attach", "ticker")
        #expect(stopped.status != 0 && stopped.stderr.contains("You cannot attach to a stopped container, start it first"))
    }

    @Test(.enabled(if: EngineService.hasDockerPy, "needs python3-docker"))
    func dockerPyRunsExecsAndAttaches() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let service = try EngineService(root: root)
        defer { EngineService.removeAllContainers(root) }
        let script = #"""
        import docker, sys, time
        client = docker.DockerClient(base_url=sys.argv[1])
        print(client.containers.run("busybox", ["sh", "-c", "echo hello"], remove=True))
        box = client.containers.run("busybox", ["sleep", "1000"], detach=True, name="box")
        print(box.exec_run(["sh", "-c", "echo a; exit 4"]))
        print(box.exec_run(["sh", "-c", "echo o; echo e >&2"], demux=True))
        print(b"".join(box.exec_run(["sh", "-c", "echo s1; echo s2"], stream=True).output))
        ticker = client.containers.run("busybox", ["sh", "-c", "while [ ! -e /go ]; do echo tick; sleep 0.1; done; echo bye"], detach=True)
        sock = client.api.attach_socket(ticker.id, params={"stdout": 1, "stderr": 1, "stream": 1})
        seen = b""
        while b"tick" not in seen:
            seen += sock._sock.recv(4096)
        pid = client.api.inspect_container(ticker.id)["State"]["Pid"]
        open("/proc/%d/root/go" % pid, "w").close()
        while True:
            chunk = sock._sock.recv(4096)
            if not chunk:
                break
            seen += chunk
        print(b"bye" in seen, seen[:1] == b"\x01")
        created = client.api.exec_create("box", ["sh", "-c", "sleep 0.2; exit 9"])
        client.api.exec_start(created["Id"], detach=True)
        for _ in range(300):
            info = client.api.exec_inspect(created["Id"])
            if not info["Running"]:
                break
            time.sleep(0.05)
        print(info["ExitCode"], info["ProcessConfig"]["entrypoint"], info["ContainerID"] == box.id)
        """#
        let result = try service.python(script)
        #expect(result.stdout == """
            b'hello\\n'
            ExecResult(exit_code=4, output=b'a\\n')
            ExecResult(exit_code=0, output=(b'o\\n', b'e\\n'))
            b's1\\ns2\\n'
            True True
            9 sh True

            """, "\(result.stderr)")
    }
}
