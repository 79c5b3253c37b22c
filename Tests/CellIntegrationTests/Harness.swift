import Foundation
import Testing
import CRuntime

/// Drives the built `cell` binary as a user would: each `CellRoot` is a private CELL_ROOT under
/// /tmp, removed when the test is done.
final class CellRoot {
    let path: String
    let scratch: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/cell-test-\(UUID().uuidString.prefix(8))"
        scratch = "\(path)-scratch"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    deinit {
        removeContainers()
        // Networks hold what is the host's (bridges, firewall rules): `system reset` takes them.
        if FileManager.default.fileExists(atPath: "\(path)/networks") { _ = try? cell("system", "reset", "--force") }
        // A --rm container's monitor deletes its files just after its client returned: a
        // removal of the store meanwhile would trip over files vanishing under it.
        _ = waitUntil { !CellRoot.processMentions(path) }
        // A process still going at the reset (a service finishing a request, whose deinit may
        // come after this one) can have made the store's bridge since: reset again, now that
        // nothing runs, rather than leave a bridge and its rules on the host.
        if ownsHostBridge() { _ = try? cell("system", "reset", "--force") }
        for _ in 0..<3 where FileManager.default.fileExists(atPath: path) {
            try? FileManager.default.removeItem(atPath: path)
        }
        // A bridge whose network never made it into the store (a `cell` killed while creating
        // it) is unknown to the reset: with the store gone it is an orphan, which any store's
        // `network prune` removes with its rules.
        if ownsHostBridge() {
            _ = try? Command.run(Paths.cell, ["network", "prune", "--force"], environment: ["CELL_ROOT": "\(scratch)/orphans"])
        }
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// Whether a bridge on this host belongs to a network of this store (/run/cell/bridges
    /// names each bridge's network directory on its first line).
    func ownsHostBridge() -> Bool {
        let registry = "/run/cell/bridges"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: registry)) ?? []
        return names.contains { name in
            FileManager.default.contents(atPath: "\(registry)/\(name)").map { String(decoding: $0, as: UTF8.self).hasPrefix(path + "/") } ?? false
        }
    }

    /// Whether a process runs whose command line names `text` (a monitor names its container's
    /// directory).
    static func processMentions(_ text: String) -> Bool {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { Int($0) != nil }
        return pids.contains { pid in
            FileManager.default.contents(atPath: "/proc/\(pid)/cmdline").map { String(decoding: $0, as: UTF8.self).contains(text) } ?? false
        }
    }

    /// A test that ends early (a failed expectation, a container renamed past its `defer`) leaves
    /// nothing running or mounted: whatever containers the root still has are removed as a user
    /// would, with their anonymous volumes.
    private func removeContainers() {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "\(path)/containers")) ?? []
        guard entries.contains(where: { !$0.hasPrefix(".") }) else { return }
        guard let listed = try? cell("ps", "-aq", "--no-trunc"), listed.status == 0 else { return }
        let ids = listed.stdout.split(separator: "\n").map(String.init)
        if !ids.isEmpty { _ = try? cell(["rm", "-f", "-v"] + ids) }
    }

    /// Runs `cell ARGS` with this root; returns status and output.
    @discardableResult
    func cell(_ arguments: [String], stdin: Data? = nil, stdinFile: String? = nil,
              environment: [String: String] = [:]) throws -> CommandResult {
        try Command.run(Paths.cell, arguments, stdin: stdin, stdinFile: stdinFile,
                        environment: environment.merging(["CELL_ROOT": path]) { $1 })
    }

    func cell(_ arguments: String...) throws -> CommandResult {
        try cell(arguments)
    }

    /// Imports the busybox fixture under `name`; returns the image id.
    @discardableResult
    func importBusybox(_ name: String = "busybox:latest") throws -> String {
        let result = try cell(["import", "-c", "CMD [\"sh\"]", try Fixtures.busyboxTarball(), name])
        try result.expectSuccess()
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func file(_ name: String) -> String { "\(scratch)/\(name)" }

    /// Makes an empty file in a running container from the host (through its pid 1's root): the
    /// signal for a container waiting on it. An exec's `touch` could be killed with the
    /// container's pid namespace when the container ends on seeing the file, before it exits.
    func signalFile(_ path: String, in container: String) throws {
        let pid = try cell("inspect", "-f", "{{.State.Pid}}", container).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try Command.run("/bin/sh", ["-c", ": > \"$1\"", "sh", "/proc/\(pid)/root\(path)"]).expectSuccess()
    }

    /// Writes an executable file through a child shell, never through an fd of this process: an
    /// fd opened for writing here (Foundation does not set close-on-exec) is inherited by every
    /// process other tests spawn meanwhile, and executing the file then fails with ETXTBSY.
    func writeExecutable(_ text: String, to path: String) throws {
        try Command.run("/bin/sh", ["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh", path], stdin: Data(text.utf8)).expectSuccess()
    }
}

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String

    var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    func expectSuccess(sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(status == 0, "exit \(status): \(stderr)", sourceLocation: sourceLocation)
        if status != 0 { throw HarnessError.failed("exit \(status): \(stderr)") }
    }
}

enum HarnessError: Error { case failed(String) }

enum Command {
    /// Runs a program to completion, collecting stdout and stderr.
    static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil, stdinFile: String? = nil,
                    environment: [String: String] = [:]) throws -> CommandResult {
        let input: ChildProcess.Input = stdinFile.map { .file($0) } ?? stdin.map { .bytes($0) } ?? .null
        let child = try ChildProcess(executable, arguments, environment: environment, input: input, captureOutput: true)
        return child.finish()
    }

    static func shell(_ script: String, environment: [String: String] = [:]) throws -> CommandResult {
        try run("/bin/bash", ["-c", script], environment: environment)
    }
}

/// A child started with posix_spawn and reaped with waitpid on its own pid. Foundation's Process
/// is not used: on Linux its SIGCHLD bookkeeping sometimes misses an exit when tests start
/// processes in parallel, and waitUntilExit then hangs forever.
final class ChildProcess: @unchecked Sendable {
    enum Input {
        case null
        case file(String)
        case bytes(Data)
    }

    let pid: pid_t
    private var output: Int32 = -1
    private var errorOutput: Int32 = -1
    private var pendingInput: [UInt8] = []
    private var inputPipe: Int32 = -1
    private var reaped: Int32?

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], input: Input = .null,
         captureOutput: Bool) throws {
        // A child killed (or done) before reading all its input must not take the test runner
        // with it: the write fails with EPIPE instead, and `finish` stops feeding it.
        signal(SIGPIPE, SIG_IGN)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var toClose: [Int32] = []
        defer { toClose.forEach { close($0) } }

        switch input {
        case .null:
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0)
        case .bytes(let data):
            let fds = try ChildProcess.pipe()
            posix_spawn_file_actions_adddup2(&actions, fds.read, 0)
            toClose.append(fds.read)
            inputPipe = fds.write
            _ = fcntl(inputPipe, F_SETFL, fcntl(inputPipe, F_GETFL) | O_NONBLOCK)
            pendingInput = Array(data)
        }
        if captureOutput {
            let out = try ChildProcess.pipe(), err = try ChildProcess.pipe()
            posix_spawn_file_actions_adddup2(&actions, out.write, 1)
            posix_spawn_file_actions_adddup2(&actions, err.write, 2)
            toClose += [out.write, err.write]
            output = out.read
            errorOutput = err.read
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }

        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // As a user's shell starts it: no signal blocked or ignored (the test runner's threads
        // block some, and a child would inherit that mask).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            [output, errorOutput, inputPipe].filter { $0 >= 0 }.forEach { close($0) }
            throw HarnessError.failed("spawn \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        if inputPipe >= 0 && pendingInput.isEmpty { close(inputPipe); inputPipe = -1 }
    }

    deinit {
        [output, errorOutput, inputPipe].filter { $0 >= 0 }.forEach { close($0) }
        if reaped == nil {
            kill(pid, SIGKILL)
            _ = waitForExit()
        }
    }

    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard cell_pipe_cloexec(&fds) == 0 else { throw HarnessError.failed("pipe: \(String(cString: strerror(errno)))") }
        return (fds[0], fds[1])
    }

    /// Feeds stdin, reads stdout and stderr to their end, then reaps.
    func finish() -> CommandResult {
        var collected: [[UInt8]] = [[], []]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while output >= 0 || errorOutput >= 0 || inputPipe >= 0 {
            var fds = [pollfd(fd: output, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: errorOutput, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: inputPipe, events: Int16(POLLOUT), revents: 0)]
            if poll(&fds, 3, -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in 0..<2 where fds[index].revents != 0 {
                let count = read(fds[index].fd, &buffer, buffer.count)
                if count > 0 {
                    collected[index] += buffer[0..<count]
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(fds[index].fd)
                    if index == 0 { output = -1 } else { errorOutput = -1 }
                }
            }
            if fds[2].revents != 0 {
                let written = pendingInput.withUnsafeBytes { write(inputPipe, $0.baseAddress, $0.count) }
                if written > 0 { pendingInput.removeFirst(written) }
                if pendingInput.isEmpty || (written < 0 && errno != EAGAIN && errno != EINTR) {
                    close(inputPipe)
                    inputPipe = -1
                }
            }
        }
        return CommandResult(status: waitForExit(), stdout: String(decoding: collected[0], as: UTF8.self),
                             stderr: String(decoding: collected[1], as: UTF8.self))
    }

    /// The child's status if it has exited (reaping it), nil while it runs.
    func exitStatusIfExited() -> Int32? {
        if let reaped { return reaped }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        reaped = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return reaped
    }

    /// Blocks until the child exits; its status as a shell reports it (128 + signal).
    @discardableResult
    func waitForExit() -> Int32 {
        if let reaped { return reaped }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        reaped = code
        return code
    }
}

enum Paths {
    /// The package root, from this file's place in it.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The `cell` built beside this test bundle (.build/debug/cell).
    static let cell: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("cell").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return "\(packageRoot)/.build/debug/cell"
    }()
}

enum Fixtures {
    private static let lock = NSLock()

    /// rootfs-fixtures/out/busybox.tar, built by its script on first use.
    static func busyboxTarball() throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let path = "\(Paths.packageRoot)/rootfs-fixtures/out/busybox.tar"
        if !FileManager.default.fileExists(atPath: path) {
            let result = try Command.run("/bin/bash", ["\(Paths.packageRoot)/rootfs-fixtures/busybox.sh", path])
            guard result.status == 0 else { throw HarnessError.failed("busybox.sh: \(result.stderr)") }
        }
        return path
    }

    /// Writes a tar built by python's tarfile from a small script (hostile archives included).
    static func makeTar(at path: String, python body: String) throws {
        let script = "import tarfile, io, sys\nout = tarfile.open(sys.argv[1], 'w')\n" + body + "\nout.close()\n"
        let result = try Command.run("/usr/bin/env", ["python3", "-c", script, path])
        guard result.status == 0 else { throw HarnessError.failed("python3: \(result.stderr)") }
    }
}

/// Polls `condition` until true or `timeout`; for waiting on state, never a fixed sleep.
func waitUntil(timeout: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}
