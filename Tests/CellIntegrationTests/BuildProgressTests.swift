import Foundation
import Testing

/// `build --progress`: BuildKit's tty display on a terminal, plain lines elsewhere.
@Suite("build: progress on a terminal")
struct BuildProgressTests {
    /// A RUN that prints `waiting` and holds until the test makes /ctx/go (the context, bound
    /// live): the display must have drawn its output while it ran.
    static let imagefile = """
        FROM busybox
        COPY note.txt /note.txt
        RUN --mount=type=bind,target=/ctx echo waiting; while [ ! -e /ctx/go ]; do sleep 0.05; done; echo released
        CMD ["cat", "/note.txt"]
        """

    /// The build on a pty of python's (33x77): once the running step's output shows, the go
    /// file releases it; then everything to the end, and the build's status.
    static let driver = TerminalTests.ptyPrelude + #"""
    release = os.environ.get("RELEASE")
    if release:
        wait_for(b" => => # waiting")
        open(release, "w").close()
    deadline = time.time() + 60
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(seen.decode("utf-8", "replace"))
    sys.exit(os.WEXITSTATUS(status))
    """#

    private func buildOnATerminal(_ root: CellRoot, _ arguments: [String], release: String? = nil) throws -> CommandResult {
        try Command.run("/usr/bin/python3", ["-c", BuildProgressTests.driver, Paths.cell, "build"] + arguments,
                        environment: ["CELL_ROOT": root.path, "RELEASE": release ?? "", "NO_COLOR": ""])
    }

    @Test func aTerminalGetsTheStepsRedrawnInPlace() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = try Context(root, imagefile: BuildProgressTests.imagefile, files: ["note.txt": "built\n"])
        let tty = try buildOnATerminal(root, ["-t", "demo", context.path], release: "\(context.path)/go")
        #expect(tty.status == 0, "\(tty.stdout) \(tty.stderr)")
        let screen = tty.stdout
        // Redrawn in place: back up over the last frame, each line rewritten, the cursor hidden meanwhile.
        #expect(screen.range(of: #"\r\x1B\[[0-9]+A\[\+\] Building "#, options: .regularExpression) != nil, "\(screen.debugDescription)")
        #expect(screen.contains("\u{1B}[K\r\n") && screen.contains("\u{1B}[?25l") && screen.contains("\u{1B}[J\u{1B}[?25h"))
        // The running step's output under it while it ran.
        #expect(screen.contains(" => => # waiting"), "\(screen.debugDescription)")
        #expect(screen.contains(" => [3/4] RUN --mount=type=bind,target=/ctx echo waiting;"))
        // The last frame: every step done, with its time, and the tag as the legacy builder prints it.
        let last = try #require(screen.components(separatedBy: "[+] Building ").last)
        #expect(last.range(of: #"^[0-9]+\.[0-9]s \(5/5\) FINISHED\x1B\[K\r\n"#, options: .regularExpression) != nil, "\(last.debugDescription)")
        for step in ["[1/4] FROM busybox", "[2/4] COPY note.txt /note.txt", "[4/4] CMD [\"cat\",\"/note.txt\"]", "exporting to image"] {
            #expect(last.range(of: " => \(NSRegularExpression.escapedPattern(for: step)) +[0-9]+\\.[0-9]s", options: .regularExpression) != nil,
                    "\(step) in \(last.debugDescription)")
        }
        #expect(!last.contains("=> => #"), "no output in the last frame")
        #expect(last.hasSuffix("Successfully tagged demo:latest\r\n"), "\(last.debugDescription)")
        #expect(!screen.contains("released\r\n"), "RUN's output is drawn in the display, not printed")
        #expect(try root.cell("run", "--rm", "demo").stdout == "built\n")

        // Again: from the cache, shown as such, no RUN to wait for.
        let cached = try buildOnATerminal(root, ["--progress=tty", "-t", "demo:2", context.path])
        #expect(cached.status == 0)
        #expect(cached.stdout.contains(" => CACHED [3/4] RUN --mount=type=bind,target=/ctx echo waiting;"), "\(cached.stdout.debugDescription)")
        // plain on a terminal: today's lines, nothing redrawn.
        let plain = try buildOnATerminal(root, ["--progress=plain", "-t", "demo:3", context.path])
        #expect(plain.status == 0)
        #expect(plain.stdout.contains("[2/4] COPY note.txt /note.txt CACHED\r\n"), "\(plain.stdout.debugDescription)")
        #expect(!plain.stdout.contains("\u{1B}["))
        try root.cell("rmi", "demo", "demo:2", "demo:3").expectSuccess()
        try expectNoBuildLeftovers(root)
    }

    /// A failed RUN: the last frame marks it, then its last lines and the error.
    @Test func aFailureEndsTheDisplayBeforeTheError() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = try Context(root, imagefile: "FROM busybox\nRUN echo first; echo second >&2; exit 3\nRUN echo never\n")
        let result = try buildOnATerminal(root, [context.path])
        #expect(result.status == 1)
        let last = try #require(result.stdout.components(separatedBy: "[+] Building ").last)
        #expect(last.range(of: #"^[0-9]+\.[0-9]s \(2/4\)\x1B\[K"#, options: .regularExpression) != nil, "\(last.debugDescription)")
        #expect(last.contains("\u{1B}[31m => ERROR [2/3] RUN echo first; echo second >&2; exit 3"), "\(last.debugDescription)")
        #expect(last.contains("\u{1B}[J\u{1B}[?25h------\r\n > [2/3] RUN echo first; echo second >&2; exit 3:\r\n   first\r\n   second\r\n------\r\n"
                              + "Error: Imagefile:2: process \"/bin/sh -c echo first; echo second >&2; exit 3\" did not complete successfully: exit code: 3\r\n"),
                "\(last.debugDescription)")
        try expectNoBuildLeftovers(root)
    }

    /// buildx's answers to a mode it cannot honour: one line, exit 1, nothing built.
    @Test func modesThatCannotBeHonouredAreRefused() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = try Context(root, imagefile: "FROM busybox\n")
        let noTerminal = try root.cell("build", "--progress=tty", context.path)
        #expect(noTerminal.status == 1)
        #expect(noTerminal.stderr == "Error: failed to get console: provided file is not a console\n")
        let both = try root.cell("build", "-q", "--progress", "plain", context.path)
        #expect(both.status == 1 && both.stderr == "Error: progress=plain and quiet cannot be used together\n", "\(both.stderr)")
        let unknown = try root.cell("build", "--progress", "fancy", context.path)
        #expect(unknown.status == 1 && unknown.stderr == "Error: invalid progress mode fancy\n", "\(unknown.stderr)")
        // quiet is -q: the id alone; auto without a terminal is plain.
        let quiet = try root.cell("build", "--progress=quiet", context.path)
        #expect(quiet.status == 0 && quiet.stdout.hasPrefix("sha256:") && quiet.stderr.isEmpty)
        let auto = try root.cell("build", "-t", "x", context.path)
        #expect(auto.stderr.hasPrefix("[1/1] FROM busybox\nSuccessfully built ") && auto.stderr.hasSuffix("\nSuccessfully tagged x:latest\n"),
                "\(auto.stderr)")
        #expect(!auto.stderr.contains("\u{1B}["))
        try expectNoBuildLeftovers(root)
    }
}
