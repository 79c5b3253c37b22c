#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellCore
import CellPresentation

struct CellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cell",
        abstract: "Build images from Imagefiles and run them as containers, the way docker does.",
        version: CellVersion.current,
        subcommands: [
            RunCommand.self, CreateCommand.self, PsCommand.self, LogsCommand.self, StartCommand.self,
            StopCommand.self, RestartCommand.self, KillCommand.self, PauseCommand.self, UnpauseCommand.self, RmCommand.self, WaitCommand.self,
            PortCommand.self, ExecCommand.self, AttachCommand.self, CopyCommand.self, TopCommand.self, CommitCommand.self,
            StatsCommand.self, UpdateCommand.self, RenameCommand.self, DiffCommand.self, ExportCommand.self,
            InspectCommand.self, ContainerCommand.self, VolumeCommand.self, NetworkCommand.self, HealthcheckCommand.self,
            ImagesCommand.self, PullCommand.self, PushCommand.self, SearchCommand.self, LoginCommand.self, LogoutCommand.self,
            ImportCommand.self, TagCommand.self, RmiCommand.self, HistoryCommand.self,
            SaveCommand.self, LoadCommand.self, ImageCommand.self, BuildCommand.self, TestCommand.self, SystemCommand.self,
            VersionCommand.self, InfoCommand.self, EventsCommand.self, CompletionCommand.self,
        ]
    )

    // GlobalOptions takes it off the arguments before they are parsed (it comes before the verb and
    // applies to all of them); it is declared here so that help and the completion scripts know it
    // takes a value, and completion lists the names of the store it names.
    @Option(help: ArgumentHelp("Keep images and containers in DIR, given before the command (default: CELL_ROOT, else /var/lib/cell).", valueName: "DIR"))
    var root: String?

    /// Parses and runs `words` (the command line after the global options); maps every error to
    /// docker's message style and exit code.
    static func main(_ words: [String]) -> Int32 {
        Output.commandPath = CommandLineMistakes.commandPath(words)
        let quick = QuickCommandLine.parse(words)
        // Docker's spellings that ArgumentParser reads otherwise, rewritten for it (the quick
        // path takes none of them).
        let arguments = quick != nil ? words
            : BooleanFlagValues.rewrite(EmptyOptionValues.split(ShortOptionValues.split(words)))
        do {
            if let quick {
                PhaseTrace.mark("arguments parsed (quick path)")
                try quick.run()
                return 0
            }
            var command = try parseVerbDirectly(arguments) ?? parseAsRoot(arguments)
            PhaseTrace.mark("arguments parsed")
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
            var text = message(for: error)
            // Docker names an unknown flag before a missing argument; the parser, the other way round.
            if text.hasPrefix("Missing expected argument") || text.contains(" requires at least "), let flagError = unknownFlag(in: arguments) { text = flagError }
            if let answer = CommandLineMistakes.answer(to: text, arguments: arguments, knownVerbs: knownVerbs) {
                if answer.status == 0 { Output.line(answer.text) } else { Output.error(answer.text) }
                return answer.status
            }
            Output.error(Output.usageText(text))
            return 125
        }
    }
}

extension CellCommand {
    /// The verb's own parser, spared the root's walk through every verb (a millisecond of each
    /// command, `bench/speed.sh`'s trace). Only a parse that succeeds is taken: help, a mistake,
    /// a parent's option, anything else goes through the root, whose answers name the whole
    /// command line, as before.
    static func parseVerbDirectly(_ arguments: [String]) -> ParsableCommand? {
        guard let verb = arguments.first, !verb.hasPrefix("-"),
              let type = configuration.subcommands.first(where: { $0._commandName == verb }) else { return nil }
        return try? type.parseAsRoot(Array(arguments.dropFirst()))
    }

    /// The parser's complaint about an unknown flag in `arguments`, with the missing arguments
    /// supplied: nil when every flag is known.
    static func unknownFlag(in arguments: [String]) -> String? {
        do {
            _ = try parseAsRoot(arguments + ["a", "b", "c"])
        } catch {
            let text = message(for: error)
            if text.hasPrefix("Unknown option") { return text }
        }
        return nil
    }

    /// The verbs and their aliases: anything else in the verb's place is an unknown command.
    static var knownVerbs: Set<String> {
        Set(configuration.subcommands.flatMap { [$0._commandName] + $0.configuration.aliases })
    }
}

