import Foundation
import Testing

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
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: scratch)
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        var input: Pipe?
        if let stdinFile {
            process.standardInput = FileHandle(forReadingAtPath: stdinFile)
        } else if stdin != nil {
            input = Pipe()
            process.standardInput = input
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        if let stdin, let input {
            DispatchQueue.global().async {
                input.fileHandleForWriting.write(stdin)
                try? input.fileHandleForWriting.close()
            }
        }
        let collected = Collected()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { collected.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let outData = collected.data
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }

    static func shell(_ script: String, environment: [String: String] = [:]) throws -> CommandResult {
        try run("/bin/bash", ["-c", script], environment: environment)
    }
}

/// Output collected on another thread, read after it is done.
private final class Collected: @unchecked Sendable {
    var data = Data()
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
