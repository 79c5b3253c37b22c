import Foundation
import Testing

/// `cell run -t -i` under a real pseudo-terminal, driven as a user at a keyboard would.
@Suite("containers: a real terminal")
struct TerminalTests {
    /// Python's pty module plays the terminal: window size, typed lines, Ctrl-C.
    static let driver = #"""
    import os, pty, select, struct, sys, time, fcntl, termios
    cell = sys.argv[1]
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(cell, [cell, "run", "-t", "-i", "--rm", "busybox", "sh"])
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
        let result = try Command.run("/usr/bin/python3", ["-c", TerminalTests.driver, Paths.cell],
                                     environment: ["CELL_ROOT": root.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "exit 7\n")
        #expect(try root.cell("ps", "-aq").stdout.isEmpty)
        try expectNothingLeft(root)
    }
}
