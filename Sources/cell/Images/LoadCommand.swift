import ArgumentParser
import CellImage

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load an image from a tar archive or STDIN.")

    @Option(name: [.customShort("i"), .long], help: "Read from tar archive file, instead of STDIN.", completion: .file())
    var input: String?

    @Flag(name: [.customShort("q"), .long], help: "Suppress the load output.")
    var quiet = false

    func run() throws {
        let store = try GlobalOptions.imageStore()
        let loaded = try store.load(from: input.map { .file($0) } ?? .standardInput)
        guard !quiet else { return }
        for image in loaded {
            if image.names.isEmpty {
                Output.line("Loaded image ID: \(image.id)")
            }
            for name in image.names {
                Output.line("Loaded image: \(name.familiarName)")
            }
        }
    }
}
