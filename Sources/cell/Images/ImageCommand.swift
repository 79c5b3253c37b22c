import ArgumentParser

/// `cell image ls|rm|tag|inspect|history|save|load|import|prune`: docker's management group.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Manage images.",
        subcommands: [
            ImageListCommand.self, ImageRemoveCommand.self, TagCommand.self, ImageInspectCommand.self, HistoryCommand.self,
            SaveCommand.self, LoadCommand.self, ImportCommand.self, ImagePruneCommand.self, PullCommand.self, PushCommand.self,
        ],
        aliases: []
    )
}
