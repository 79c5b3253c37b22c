#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellContainers
import CellCore

struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", abstract: "Execute a command in a running container.")

    @Flag(name: [.customShort("d"), .long], help: "Detached mode: run command in the background.")
    var detach = false

    @Flag(name: [.customShort("i"), .long], help: "Keep STDIN open even if not attached.")
    var interactive = false

    @Flag(name: [.customShort("t"), .long], help: "Allocate a pseudo-TTY.")
    var tty = false

    @Option(name: [.customShort("e"), .long], help: "Set environment variables.")
    var env: [String] = []

    @Option(name: .customLong("env-file"), help: "Read in a file of environment variables.", completion: .file())
    var envFile: [String] = []

    @Option(name: [.customShort("u"), .long], help: "Username or UID (format: <name|uid>[:<group|gid>]).")
    var user: String?

    @Option(name: [.customShort("w"), .customLong("workdir")], help: "Working directory inside the container.")
    var workdir: String?

    @Flag(help: "Give extended privileges to the command.")
    var privileged = false

    @Option(name: .customLong("detach-keys"), help: "Override the key sequence for detaching a container (checked; an exec is not detached from).")
    var detachKeys: String?

    @Argument(help: "CONTAINER", completion: NameCompletion.containers(.running))
    var container: String

    @Argument(parsing: .captureForPassthrough, help: "COMMAND [ARG...]")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("\"exec\" requires at least 2 arguments.") }
    }

    func run() throws {
        try Self.run(container, ExecOptions(arguments: command, environment: env, workingDirectory: workdir,
                                            user: user, interactive: interactive, tty: tty, detach: detach,
                                            privileged: privileged),
                     environmentFiles: envFile, detachKeys: detachKeys)
    }

    /// Runs `options` in the container named `container`, the files' variables before
    /// `options.environment`: ArgumentParser's command line and QuickCommandLine's both end here.
    static func run(_ container: String, _ options: ExecOptions, environmentFiles: [String] = [], detachKeys: String? = nil) throws {
        _ = try DaemonError.reporting { try DetachKeys(parsing: detachKeys ?? "") }
        let target = try DaemonError.reporting { try GlobalOptions.containerStore().resolveSummarized(container) }
        PhaseTrace.mark("container found")
        var options = options
        options.environment = try ContainerEnvironment.entries(fromFiles: environmentFiles) + options.environment
        Output.flush()
        let status: Int32
        do {
            status = try target.exec(options)
        } catch let error as CellError {
            switch error.kind {
            case .commandNotFound, .commandNotExecutable:
                // runc's wording, as docker prints it.
                Output.error(ExecInstances.failureMessage(error))
                throw ExitCode(error.exitCode)
            default:
                throw DaemonError(error)
            }
        }
        Output.flush()
        throw ExitCode(status)
    }
}
