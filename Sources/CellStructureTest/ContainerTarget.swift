#if canImport(Glibc)
import Glibc
#endif
import CellContainers
import CellCore
import CellRuntime

/// A running container under test (`cell test --container NAME`, after provisioning it):
/// commands are exec'd into it, one after another on the same container, and files are read
/// from its root as it is now.
public final class ContainerTarget: StructureTestTarget, @unchecked Sendable {
    public let metadata: TargetMetadata
    public let rootDirectory: Int32
    private let container: Container
    private let runOptions: StructureTestSpec.ContainerRunOptions
    private let root: ContainerRootAccess

    public init(_ container: Container, runOptions: StructureTestSpec.ContainerRunOptions) throws {
        guard container.isRunning else {
            throw CellError.conflict("Container \(container.id) is not running")
        }
        self.container = container
        self.runOptions = runOptions
        metadata = TargetMetadata(container: container.record.config)
        root = try ContainerRootAccess(containerDirectory: container.directory)
        rootDirectory = root.fd
    }

    public func run(_ command: [String], environment: [String], setup: [[String]], teardown: [[String]]) throws -> CommandOutput {
        for step in setup {
            let output = try exec(step, environment: environment)
            guard output.exitCode == 0 else {
                throw CellError(.setup, "setup command \(step) exited \(output.exitCode): \(output.stderr)")
            }
        }
        let output = try exec(command, environment: environment)
        for step in teardown { _ = try? exec(step, environment: environment) }
        return output
    }

    private func exec(_ command: [String], environment: [String]) throws -> CommandOutput {
        let files = try OutputFiles(in: container.directory)
        let options = ContainerExec.Options(arguments: command, environment: environment + runOptions.environmentNames,
                                            user: runOptions.user)
        do {
            let running = try RunningContainer(containerDirectory: container.directory)
            let process = try ContainerExec.process(for: options, in: running)
            let null = try FileDescriptorHandle(path: "/dev/null", flags: O_RDONLY | O_CLOEXEC)
            let pid = try ContainerExec.spawn(in: running, process: process,
                                              stdio: .init(input: null.fd, output: files.stdout.fd, error: files.stderr.fd))
            return try files.read(exitCode: ContainerExec.waitForExit(pid: pid))
        } catch let error as CellError where error.kind == .commandNotFound || error.kind == .commandNotExecutable {
            return CommandOutput(exitCode: error.kind == .commandNotFound ? 127 : 126, stdout: "", stderr: error.message + "\n")
        }
    }
}
