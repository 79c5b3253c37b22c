import Foundation
import Testing

/// `run -a`, `--sig-proxy` and `--detach-keys` (run, start, attach, exec), and what happens to
/// a container whose foreground client goes away: as with Docker, it runs on.
@Suite("containers: attached streams, signals and detaching")
struct AttachFlagsTests {
    @Test func attachNamesTheStreamsShownAndTheLogKeepsBoth() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let script = "echo out; echo err >&2; exit 3"
        let stderrOnly = try root.cell("run", "--rm", "-a", "stderr", "busybox", "sh", "-c", script)
        #expect(stderrOnly.status == 3)
        #expect(stderrOnly.stdout == "")
        #expect(stderrOnly.stderr == "err\n")

        let stdoutOnly = try root.cell("run", "--name", "picky", "-a", "STDOUT", "busybox", "sh", "-c", script)
        #expect(stdoutOnly.status == 3)
        #expect(stdoutOnly.stdout == "out\n")
        #expect(stdoutOnly.stderr == "")
        let log = try root.cell("logs", "picky")
        #expect(log.stdout == "out\n" && log.stderr == "err\n", "the log has both streams")

        let bogus = try root.cell("run", "-a", "bogus", "busybox", "true")
        #expect(bogus.status == 125)
        #expect(bogus.stderr == """
            invalid argument "bogus" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR

            Usage:  cell run [OPTIONS] IMAGE [COMMAND] [ARG...]

            Run 'cell run --help' for more information

            """)
        let detached = try root.cell("run", "-d", "-a", "stdout", "busybox", "true")
        #expect(detached.status == 1)
        #expect(detached.stderr == "conflicting options: cannot specify both --attach and --detach\n")
        #expect(try root.cell("ps", "-aq").lines.count == 1, "the refused runs created nothing")
        try root.cell("rm", "picky").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func detachKeysAreCheckedAsDockerChecksThem() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let run = try root.cell("run", "--rm", "--detach-keys", "ctrl-zz", "busybox", "true")
        #expect(run.status == 125)
        #expect(run.stderr == "Error response from daemon: Invalid detach keys (ctrl-zz) provided\n")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty, "nothing created")

        try root.cell("run", "-d", "--name", "keys", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "keys") }
        for arguments in [["attach", "--detach-keys=ctrl-", "keys"], ["exec", "--detach-keys", "a,bc", "keys", "true"],
                          ["start", "-a", "--detach-keys", "ctrl-1", "keys"]] {
            let result = try root.cell(arguments)
            #expect(result.status == 1, "\(arguments)")
            let keys = arguments.first { $0.hasPrefix("--detach-keys=") }.map { String($0.dropFirst(14)) }
                ?? arguments[arguments.firstIndex(of: "--detach-keys")! + 1]
            #expect(result.stderr == "Error response from daemon: Invalid detach keys (\(keys)) provided\n", "\(arguments)")
        }
        // Every form Docker takes: single characters, ctrl- keys, DEL.
        for keys in ["a", "ctrl-@,ctrl-_", "ctrl-[,x,DEL", "ctrl-p,ctrl-q"] {
            #expect(try root.cell("exec", "--detach-keys", keys, "keys", "true").status == 0, "\(keys)")
        }
        try root.cell("rm", "-f", "keys").expectSuccess()
        try expectNothingLeft(root)
    }

    /// A foreground `run -it` left with Ctrl-P Ctrl-Q: the client exits 0, the container runs
    /// on, `attach` (with keys of its own) types into it and leaves it again.
    static let detachDriver = TerminalTests.ptyPrelude + #"""
    wait_for(b"# ")
    os.write(fd, b"echo $((6*7))\n")
    wait_for(b"42")
    os.write(fd, b"\x10\x11")
    _, status = os.waitpid(pid, 0)
    print("exit", os.WEXITSTATUS(status))
    """#

    static let attachDriver = TerminalTests.ptyPrelude + #"""
    os.write(fd, b"echo $((6*9))\n")
    wait_for(b"54")
    os.write(fd, b"\x18x")
    wait_for(b"read escape sequence")
    _, status = os.waitpid(pid, 0)
    print("exit", os.WEXITSTATUS(status))
    """#

    @Test func detachKeysLeaveAForegroundContainerRunning() throws {
        let root = try CellRoot()
        try root.importBusybox()
        defer { _ = try? root.cell("rm", "-f", "left") }
        let run = try Command.run("/usr/bin/python3", ["-c", AttachFlagsTests.detachDriver, Paths.cell,
                                                       "run", "-it", "--rm", "--name", "left", "busybox", "sh"],
                                  environment: ["CELL_ROOT": root.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "exit 0\n")
        #expect(try root.cell("inspect", "-f", "{{.State.Running}}", "left").stdout == "true\n",
                "a detached --rm container is not removed")
        #expect(try monitorIsDetached(root, "left"))

        let attach = try Command.run("/usr/bin/python3", ["-c", AttachFlagsTests.attachDriver, Paths.cell,
                                                          "attach", "--detach-keys", "ctrl-x,x", "left"],
                                     environment: ["CELL_ROOT": root.path])
        #expect(attach.status == 0, "\(attach.stderr)")
        #expect(attach.stdout == "exit 1\n", "Docker's attach exits 1 with its escape message")
        #expect(try root.cell("inspect", "-f", "{{.State.Running}}", "left").stdout == "true\n")
        try root.cell("rm", "-f", "left").expectSuccess()
        try expectNothingLeft(root)
    }

    static let startDriver = TerminalTests.ptyPrelude + #"""
    wait_for(b"# ")
    os.write(fd, b"\x01a")
    _, status = os.waitpid(pid, 0)
    print("exit", os.WEXITSTATUS(status))
    """#

    @Test func startAttachDetachesWithItsOwnKeys() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("create", "-it", "--name", "started", "busybox", "sh").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "started") }
        let start = try Command.run("/usr/bin/python3", ["-c", AttachFlagsTests.startDriver, Paths.cell,
                                                         "start", "-ai", "--detach-keys=ctrl-a,a", "started"],
                                    environment: ["CELL_ROOT": root.path])
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout == "exit 0\n")
        #expect(try root.cell("inspect", "-f", "{{.State.Running}}", "started").stdout == "true\n")
        try root.cell("rm", "-f", "started").expectSuccess()
        try expectNothingLeft(root)
    }

    /// Ctrl-C typed on the terminal of a foreground run (no -t: the terminal makes it a SIGINT
    /// to the client's process group).
    static let interruptDriver = TerminalTests.ptyPrelude + #"""
    wait_for(b"ready")
    os.write(fd, b"\x03")
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        print("signal", os.WTERMSIG(status))
    else:
        print("exit", os.WEXITSTATUS(status))
    """#

    @Test func ctrlCReachesTheContainerOnlyThroughTheSignalProxy() throws {
        let root = try CellRoot()
        try root.importBusybox()
        defer { _ = try? root.cell("rm", "-f", "proxied", "unproxied") }
        let script = "trap 'echo trapped; exit 9' INT; echo ready; while :; do sleep 0.05; done"
        let proxied = try Command.run("/usr/bin/python3", ["-c", AttachFlagsTests.interruptDriver, Paths.cell,
                                                           "run", "--name", "proxied", "busybox", "sh", "-c", script],
                                      environment: ["CELL_ROOT": root.path])
        #expect(proxied.stdout == "exit 9\n", "\(proxied.stderr)")
        #expect(try root.cell("logs", "proxied").stdout == "ready\ntrapped\n", "the container got it once")

        let unproxied = try Command.run("/usr/bin/python3", ["-c", AttachFlagsTests.interruptDriver, Paths.cell,
                                                             "run", "--sig-proxy=false", "--name", "unproxied",
                                                             "busybox", "sh", "-c", script],
                                        environment: ["CELL_ROOT": root.path])
        #expect(unproxied.stdout == "signal 2\n", "the client ends by the Ctrl-C: \(unproxied.stderr)")
        #expect(try root.cell("inspect", "-f", "{{.State.Running}}", "unproxied").stdout == "true\n")
        #expect(try waitUntil { try monitorIsDetached(root, "unproxied") })
        #expect(try root.cell("logs", "unproxied").stdout == "ready\n", "the container never saw it")
        try root.cell("rm", "-f", "proxied", "unproxied").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func aKilledClientLeavesItsContainerRunning() throws {
        let root = try CellRoot()
        try root.importBusybox()
        defer { _ = try? root.cell("rm", "-f", "orphan") }
        let client = try ChildProcess(Paths.cell, ["run", "-i", "--name", "orphan", "busybox", "sh", "-c",
                                                   "i=0; while :; do echo $i; i=$((i+1)); sleep 0.05; done"],
                                      environment: ["CELL_ROOT": root.path], input: .bytes(Data("x".utf8)), captureOutput: true)
        #expect(waitUntil { (try? root.cell("logs", "orphan").lines.count) ?? 0 >= 2 })
        kill(client.pid, SIGKILL)
        _ = client.finish()
        #expect(try waitUntil { try monitorIsDetached(root, "orphan") })
        let before = try root.cell("logs", "orphan").lines.count
        #expect(waitUntil { (try? root.cell("logs", "orphan").lines.count) ?? 0 > before + 2 }, "it goes on writing")
        #expect(try root.cell("inspect", "-f", "{{.State.Running}}", "orphan").stdout == "true\n")
        try root.cell("rm", "-f", "orphan").expectSuccess()
        try expectNothingLeft(root)
    }

    /// `attach` passes the signals sent to it on to a container without a tty; with
    /// `--sig-proxy=false` it ends by them and the container does not see them.
    static let signalledAttach = #"""
    import os, signal, subprocess, sys, time
    cell, name, proxy = sys.argv[1:]
    client = subprocess.Popen([cell, "attach", "--sig-proxy=" + proxy, name], stdout=subprocess.PIPE)
    def wait_line(text):
        deadline = time.time() + 30
        while time.time() < deadline:
            line = client.stdout.readline()
            if not line:
                sys.exit("attach ended before %r" % text)
            if line.strip() == text:
                return
        sys.exit("timed out waiting for %r" % text)
    wait_line(b"tick")
    client.send_signal(signal.SIGUSR1)
    if proxy == "true":
        wait_line(b"usr1")
    client.send_signal(signal.SIGTERM)
    print("attach", client.wait())
    """#

    @Test func attachProxiesSignalsUnlessToldNotTo() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let script = "trap 'echo usr1' USR1; trap 'exit 4' TERM; while :; do echo tick; sleep 0.05; done"
        try root.cell("run", "-d", "--name", "listener", "busybox", "sh", "-c", script).expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "listener") }

        let ignored = try Command.run("/usr/bin/python3", ["-c", AttachFlagsTests.signalledAttach, Paths.cell, "listener", "false"],
                                      environment: ["CELL_ROOT": root.path])
        #expect(ignored.stdout == "attach -10\n", "SIGUSR1's default action ends the client: \(ignored.stderr)")
        #expect(try root.cell("inspect", "-f", "{{.State.Running}}", "listener").stdout == "true\n")
        #expect(!(try root.cell("logs", "listener").stdout.contains("usr1")))

        let proxied = try Command.run("/usr/bin/python3", ["-c", AttachFlagsTests.signalledAttach, Paths.cell, "listener", "true"],
                                      environment: ["CELL_ROOT": root.path])
        #expect(proxied.stdout == "attach 4\n", "SIGTERM went on and the container exited 4: \(proxied.stderr)")
        #expect(try root.cell("inspect", "-f", "{{.State.ExitCode}}", "listener").stdout == "4\n")
        try root.cell("rm", "-f", "listener").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func booleanFlagsTakeDockersValues() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let run = try root.cell("run", "--rm=true", "-d=false", "--sig-proxy=false", "--init=0", "busybox", "echo", "--rm=false")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "--rm=false\n", "the container's own arguments are left alone")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty, "--rm=true removed it")
        let odd = try root.cell("run", "--rm=maybe", "busybox", "true")
        #expect(odd.status == 125)
        try expectNothingLeft(root)
    }

    /// The container's monitor has left the client's session and no longer holds its stdio.
    private func monitorIsDetached(_ root: CellRoot, _ name: String) throws -> Bool {
        let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", name).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The fields after the command's closing parenthesis: state, ppid, pgrp, session.
        let fields = stat[stat.range(of: ")", options: .backwards)!.upperBound...].split(separator: " ")
        guard let monitor = Int32(fields[1]) else { return false }
        let output = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(monitor)/fd/1")) ?? ""
        return getsid(monitor) == monitor && output == "/dev/null"
    }
}
