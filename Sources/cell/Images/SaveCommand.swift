#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellCore
import CellImage

struct SaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save",
        abstract: "Save one or more images to a tar archive (streamed to STDOUT by default).")

    @Option(name: [.customShort("o"), .long], help: "Write to a file, instead of STDOUT.", completion: .file())
    var output: String?

    @Option(help: "Layer compression: gzip (default), zstd or none.")
    var compression: String = "gzip"

    @Argument(help: "IMAGE...", completion: NameCompletion.images)
    var images: [String] = []

    func validate() throws {
        if images.isEmpty { throw ValidationError("\"save\" requires at least 1 argument.") }
        if LayerCompression(rawValue: compression) == nil {
            throw ValidationError("invalid compression \"\(compression)\": use gzip, zstd or none")
        }
    }

    func run() throws {
        let store = try GlobalOptions.imageStore()
        let layerCompression = LayerCompression(rawValue: compression) ?? .gzip
        try ArchiveOutput.write(to: output) { fd, name in
            try store.save(images, to: fd, outputName: name, compression: layerCompression)
        }
    }
}
