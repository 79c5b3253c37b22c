import ArgumentParser
import CellContainers
import CellCore
import CellRuntime

/// `cell healthcheck run NAME`, as Podman has it: the check once, now; exit 0 when it passed,
/// else `unhealthy` and exit 1; cell's own errors (no such container, no check) exit 125, as
/// Podman's do.
struct HealthcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck", abstract: "Manage health checks on containers.",
        subcommands: [HealthcheckRunCommand.self])
}

struct HealthcheckRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the health check of a container.")

    @Argument(help: "CONTAINER", completion: NameCompletion.containers(.running))
    var container: String

    func run() throws {
        let lifecycle = try GlobalOptions.lifecycle()
        let result: HealthCheck.Result
        do {
            result = try lifecycle.runHealthCheck(try lifecycle.store.resolve(container))
        } catch let error as CellError {
            throw CellError(.setup, error.message)
        }
        if result.exitCode != 0 {
            Output.line("unhealthy")
            throw ExitCode(1)
        }
    }
}
