#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellCore

struct CellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cell",
        abstract: "Build images from Imagefiles and run them as containers, the way docker does.",
        discussion: "Global options, before the command: --root DIR (or CELL_ROOT) moves all state; default /var/lib/cell.",
        version: CellVersion.current,
        subcommands: [
            RunCommand.self, CreateCommand.self, PsCommand.self, LogsCommand.self, StartCommand.self,
            StopCommand.self, RestartCommand.self, KillCommand.self, RmCommand.self, WaitCommand.self,
            PortCommand.self, ExecCommand.self, AttachCommand.self, CopyCommand.self, TopCommand.self, CommitCommand.self,
            StatsCommand.self, UpdateCommand.self, RenameCommand.self, DiffCommand.self, ExportCommand.self,
            InspectCommand.self, ContainerCommand.self,
            ImagesCommand.self, ImportCommand.self, TagCommand.self, RmiCommand.self, HistoryCommand.self,
            SaveCommand.self, LoadCommand.self, ImageCommand.self, BuildCommand.self, TestCommand.self, SystemCommand.self,
            VersionCommand.self,
        ]
    )

    /// Parses and runs; maps every error to docker's message style and exit code.
    static func main(_ arguments: [String]) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let error as CellError {
            Output.fail(error)
        } catch let error as DaemonError {
            error.report()
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // --help and --version.
                print(fullMessage(for: error))
                return 0
            }
            Output.error("cell: \(message(for: error))\nSee 'cell --help'.")
            return 125
        }
    }
}

enum CellVersion {
    static let current = "0.1.0"
}

