import Foundation
import Testing

/// `cell run -t -i` under a real pseudo-terminal, driven as a user at a keyboard would.
@Suite("containers: a real terminal")
struct TerminalTests {
    /// The start of the python drivers: a child on a pty of ours (33x77), and wait_for(token),
    /// which reads the terminal until the token shows.
    static let ptyPrelude = #"""
    import os, pty, select, struct, sys, time, fcntl, termios
    command = sys.argv[1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(command[0], command)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 77, 0, 0))
    seen = b""
    def wait_for(token, timeout=30):
        global seen
        deadline = time.time() + timeout
        while token not in seen:
            ready, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
            if not ready:
                sys.exit("timed out waiting for %r, saw %r" % (token, seen))
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                sys.exit("terminal closed waiting for %r, saw %r" % (token, seen))
            seen += chunk

    """#

    /// Python's pty module plays the terminal: window size, typed lines, Ctrl-C.
    static let driver = ptyPrelude + #"""
    def sleeping():
        for entry in os.listdir("/proc"):
            try:
                if entry.isdigit() and open("/proc/%s/cmdline" % entry, "rb").read() == b"sleep\x00321\x00":
                    return True
            except OSError:
                pass
        return False
    wait_for(b"# ")
    os.write(fd, b"stty size\n")
    wait_for(b"33 77")
    os.write(fd, b"sleep 321\n")
    deadline = time.time() + 30
    while not sleeping():
        if time.time() > deadline:
            sys.exit("sleep never started")
        time.sleep(0.01)
    os.write(fd, b"\x03")
    os.write(fd, b"echo status=$?\n")
    wait_for(b"status=130")
    os.write(fd, b"exit 7\n")
    _, status = os.waitpid(pid, 0)
    print("exit", os.WEXITSTATUS(status))
    """#

    @Test func interactiveShellGetsWindowSizeCtrlCAndExitCode() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let result = try Command.run("/usr/bin/python3", ["-c", TerminalTests.driver, Paths.cell, "run", "-t", "-i", "--rm", "busybox", "sh"],
                                     environment: ["CELL_ROOT": root.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "exit 7\n")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }

    @Test func execInteractiveShellGetsWindowSizeCtrlCAndExitCode() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "box", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "box") }
        let result = try Command.run("/usr/bin/python3", ["-c", TerminalTests.driver, Paths.cell, "exec", "-t", "-i", "box", "sh"],
                                     environment: ["CELL_ROOT": root.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "exit 7\n")
        try root.cell("rm", "-f", "box").expectSuccess()
        try expectNothingLeft(root)
    }

    /// Prints "TTY UID GID" once it has checked that the tty exists in the container, is the
    /// shell's 0, 1 and 2, and is a node of the container's own devpts (the same file system as
    /// its /dev/pts/ptmx), not the host's.
    static let ttyCheck = #"""
    t=$(tty) || exit 1
    [ -c "$t" ] || exit 2
    for fd in 0 1 2; do [ "$(readlink /proc/$$/fd/$fd)" = "$t" ] || exit 3; done
    [ "$(stat -L -c %d /proc/$$/fd/0)" = "$(stat -c %d /dev/pts/ptmx)" ] || exit 4
    echo "$t $(stat -c '%u %g' "$t")"
    """#

    @Test func runAndExecGetATerminalOfTheContainersOwnDevpts() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let run = try root.cell("run", "--rm", "-t", "busybox", "sh", "-c", TerminalTests.ttyCheck)
        #expect(run.status == 0 && run.stdout == "/dev/pts/0 0 5\r\n", "\(run.status): \(run.stdout) \(run.stderr)")
        // /dev/console is the same pty with -t (as runc binds it), and absent without.
        let console = try root.cell("run", "--rm", "-t", "busybox", "sh", "-c", "stat -c %t:%T /dev/console $(tty) | uniq | wc -l; echo hi > /dev/console")
        #expect(console.stdout == "1\r\nhi\r\n", "\(console.stderr)")
        #expect(try root.cell("run", "--rm", "busybox", "sh", "-c", "[ -e /dev/console ] || echo none").stdout == "none\n")

        try root.cell("run", "-d", "-t", "--name", "box", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "box") }
        // Seen from the host, the container's stdin is not a node of the host's devpts.
        let pid = try root.cell("inspect", "-f", "{{.State.Pid}}", "box").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var containerTTY = stat(), hostPTS = stat()
        #expect(stat("/proc/\(pid)/fd/0", &containerTTY) == 0 && stat("/dev/pts/ptmx", &hostPTS) == 0)
        #expect(containerTTY.st_dev != hostPTS.st_dev && (containerTTY.st_mode & S_IFMT) == S_IFCHR)

        // exec -t: a pty of the container's devpts too, the next one; -u's user owns it.
        let exec = try root.cell("exec", "-t", "box", "sh", "-c", TerminalTests.ttyCheck)
        #expect(exec.status == 0 && exec.stdout == "/dev/pts/1 0 5\r\n", "\(exec.status): \(exec.stdout) \(exec.stderr)")
        let user = try root.cell("exec", "-t", "-u", "1000", "box", "sh", "-c", TerminalTests.ttyCheck)
        #expect(user.status == 0 && user.stdout == "/dev/pts/1 1000 5\r\n", "\(user.status): \(user.stdout) \(user.stderr)")
        // The pty was made by the exec'd process's side and went with it.
        #expect(try root.cell("exec", "box", "ls", "/dev/pts").stdout == "0\nptmx\n")
        try root.cell("rm", "-f", "box").expectSuccess()
        try expectNothingLeft(root)
    }

    /// What a user's terminal gets from `run -it` and `exec -it`, byte for byte: the command's
    /// output and nothing else (a stray NUL, shown as ^@, once came before it).
    static let exactBytes = ptyPrelude + #"""
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(repr(out) + " exit %d" % os.WEXITSTATUS(status))
    """#

    @Test func aTerminalGetsExactlyTheCommandsBytes() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "--name", "box", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "box") }
        let environment = ["CELL_ROOT": root.path]
        for command in [["run", "--rm", "-it", "busybox", "printf", "hi\\n"], ["exec", "-it", "box", "printf", "hi\\n"]] {
            let seen = try Command.run("/usr/bin/python3", ["-c", TerminalTests.exactBytes, Paths.cell] + command, environment: environment)
            #expect(seen.stdout == "b'hi\\r\\n' exit 0", "\(command): \(seen.stdout) \(seen.stderr)")
        }
        try root.cell("rm", "-f", "box").expectSuccess()
        try expectNothingLeft(root)
    }

    @Test func aRemappedRootsTerminalIsItsOwn() throws {
        let root = try CellRoot()
        try root.importBusybox()
        // The slave belongs to the process's uid and the container's tty group, as it sees them.
        let run = try root.cell("run", "--rm", "-t", "--uidmap", "0:200000:65536", "busybox", "sh", "-c", TerminalTests.ttyCheck)
        #expect(run.status == 0 && run.stdout == "/dev/pts/0 0 5\r\n", "\(run.status): \(run.stdout) \(run.stderr)")
        let user = try root.cell("run", "--rm", "-t", "--uidmap", "0:200000:65536", "-u", "1000", "busybox",
                                 "sh", "-c", TerminalTests.ttyCheck)
        #expect(user.status == 0 && user.stdout == "/dev/pts/0 1000 5\r\n", "\(user.status): \(user.stdout) \(user.stderr)")

        try root.cell("run", "-d", "--name", "mapped", "--uidmap", "0:200000:65536", "busybox", "sleep", "1000").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "mapped") }
        let exec = try root.cell("exec", "-t", "-u", "1000", "mapped", "sh", "-c", TerminalTests.ttyCheck)
        #expect(exec.status == 0 && exec.stdout == "/dev/pts/0 1000 5\r\n", "\(exec.status): \(exec.stdout) \(exec.stderr)")
        try root.cell("rm", "-f", "mapped").expectSuccess()
        try expectNothingLeft(root)
    }

    /// `attach` to a detached -t container under a terminal: the container follows the client's
    /// window size, and Ctrl-P Ctrl-Q detaches.
    static let attachDriver = ptyPrelude + #"""
    wait_for(b"33 77")
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    os.kill(pid, 28)  # SIGWINCH, as the terminal would send it
    wait_for(b"40 100")
    os.write(fd, b"\x10\x11")
    _, status = os.waitpid(pid, 0)
    print("exit", os.WEXITSTATUS(status))
    """#

    @Test func attachResizesTheContainersTerminalAndDetaches() throws {
        let root = try CellRoot()
        try root.importBusybox()
        try root.cell("run", "-d", "-t", "--name", "sizes", "busybox", "sh", "-c",
                      "while :; do stty size; sleep 0.1; done").expectSuccess()
        defer { _ = try? root.cell("rm", "-f", "sizes") }
        let result = try Command.run("/usr/bin/python3", ["-c", TerminalTests.attachDriver, Paths.cell, "attach", "sizes"],
                                     environment: ["CELL_ROOT": root.path])
        #expect(result.status == 0, "\(result.stderr)")
        // Docker's CLI ends a detached attach with its escape error: the message, exit 1.
        #expect(result.stdout == "exit 1\n")
        #expect(try root.cell("inspect", "-f", "{{.State.Running}}", "sizes").stdout == "true\n")
        try root.cell("rm", "-f", "sizes").expectSuccess()
        try expectNothingLeft(root)
    }
}
