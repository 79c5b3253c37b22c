import ArgumentParser
import CellImage

struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag",
        abstract: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE.")

    @Argument(help: "SOURCE_IMAGE[:TAG]", completion: NameCompletion.images)
    var source: String

    @Argument(help: "TARGET_IMAGE[:TAG]", completion: NameCompletion.images)
    var target: String

    func run() throws {
        try GlobalOptions.imageStore().tag(source, as: target)
    }
}
