#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// What a command test's command printed, and how it ended.
public struct CommandOutput: Sendable {
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
}

/// Two files a command's stdout and stderr go to (a pipe would need a reader for each while it
/// runs), read back once it has exited.
final class OutputFiles {
    let directory: String
    let stdout: FileDescriptorHandle
    let stderr: FileDescriptorHandle

    init(in parent: String) throws {
        directory = try FileSystem.makeTemporaryDirectory(in: parent, prefix: "test-output-")
        stdout = try FileDescriptorHandle(path: "\(directory)/stdout", flags: O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode: 0o600)
        stderr = try FileDescriptorHandle(path: "\(directory)/stderr", flags: O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode: 0o600)
    }

    deinit { try? FileSystem.removeTree(directory) }

    func read(exitCode: Int32) throws -> CommandOutput {
        func text(_ name: String) throws -> String { String(decoding: try FileSystem.readFile("\(directory)/\(name)"), as: UTF8.self) }
        return CommandOutput(exitCode: exitCode, stdout: try text("stdout"), stderr: try text("stderr"))
    }
}
