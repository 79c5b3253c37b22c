import ArgumentParser
import CellCore
import CellImage

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import the contents from a tarball to create a filesystem image.")

    @Option(name: [.customShort("c"), .long], help: "Apply an instruction to the created image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL).")
    var change: [String] = []

    @Option(name: [.customShort("m"), .long], help: "Set commit message for imported image.")
    var message: String?

    @Option(help: "Set platform if server is multi-platform capable (accepted: the host's).")
    var platform: String?

    @Argument(help: "A tarball path, or - for standard input.", completion: .file())
    var file: String

    @Argument(help: "REPOSITORY[:TAG]")
    var reference: String?

    func run() throws {
        let names = try reference.map { [try ImageReference(parsing: $0)] } ?? []
        if file.contains("://") {
            throw CellError.usage("importing from a URL is not supported: download \(file) first, or pipe it in with -")
        }
        let store = try GlobalOptions.imageStore()
        let id = try store.importRootfs(from: file == "-" ? .standardInput : .file(file), names: names,
                                        changes: change, message: message)
        Output.line(id.description)
    }
}
