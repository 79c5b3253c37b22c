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

    @Option(name: [.customShort("o"), .long], help: "Write to a file, instead of STDOUT.")
    var output: String?

    @Option(help: "Layer compression: gzip (default), zstd or none.")
    var compression: String = "gzip"

    @Argument(help: "IMAGE...")
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
        guard let output else {
            if isatty(1) != 0 {
                throw CellError.usage("cowardly refusing to save to a terminal. Use the -o flag or redirect")
            }
            try store.save(images, to: 1, outputName: "standard output", compression: layerCompression)
            return
        }
        // Written beside the target and renamed: a failed save never leaves a truncated archive.
        let temporary = FileSystem.temporaryName(besides: output)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CellError.system("open \(output): \(Syscall.errorString(errno))") }
        do {
            try store.save(images, to: fd, outputName: output, compression: layerCompression)
            try FileSystem.rename(temporary, to: output)
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
