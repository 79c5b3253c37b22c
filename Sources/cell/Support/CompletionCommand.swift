import ArgumentParser

/// `cell completion bash|zsh|fish`: prints the script that teaches a shell cell's verbs, their
/// flags, and the names of containers and images where a verb takes them, as `docker completion`
/// does (`CompletionScripts`; the answers come from `CommandLineCompletion`).
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Generate the autocompletion script for the specified shell.",
        discussion: "Generate the autocompletion script for cell for the specified shell.\nSee each sub-command's help for details on how to use the generated script.",
        subcommands: [BashCompletionCommand.self, ZshCompletionCommand.self, FishCompletionCommand.self])
}

struct BashCompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bash",
        abstract: "Generate the autocompletion script for bash.",
        discussion: """
            To load completions in your current shell session:

            \tsource <(cell completion bash)

            To load completions for every new session, execute once:

            \tcell completion bash > /etc/bash_completion.d/cell
            """)

    func run() throws {
        Output.line(CompletionScripts.bash)
    }
}

struct ZshCompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zsh",
        abstract: "Generate the autocompletion script for zsh.",
        discussion: """
            If shell completion is not already enabled in your environment you will need
            to enable it. You can execute the following once:

            \techo "autoload -U compinit; compinit" >> ~/.zshrc

            To load completions in your current shell session:

            \tsource <(cell completion zsh)

            To load completions for every new session, execute once:

            \tcell completion zsh > "${fpath[1]}/_cell"
            """)

    func run() throws {
        Output.line(CompletionScripts.zsh)
    }
}

struct FishCompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fish",
        abstract: "Generate the autocompletion script for fish.",
        discussion: """
            To load completions in your current shell session:

            \tcell completion fish | source

            To load completions for every new session, execute once:

            \tcell completion fish > ~/.config/fish/completions/cell.fish
            """)

    func run() throws {
        Output.line(CompletionScripts.fish)
    }
}
