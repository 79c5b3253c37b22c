import ArgumentParser
import CellCore
import CellFormat
import CellImage

/// `docker version`: the client and the "server" (cell has none: the same binary answers for
/// both), in docker's layout or through --format. Tools read `{{.Server.Version}}` to decide
/// which docker features they may use, so the engine version is the docker release whose CLI
/// cell follows; cell's own version is in the components.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Show the cell version information.")

    /// The docker engine release cell's commands and output follow.
    static let dockerCompatibleVersion = "24.0.7"
    static let apiVersion = "1.43"

    @Option(name: [.customShort("f"), .long], help: "Format output using a Go template, or 'json'.")
    var format: String?

    func run() throws {
        let arch = ImageConfig.hostArchitecture
        let cell = CellVersion.current
        let client: JSONValue = .object([
            ("Platform", .object([("Name", .string("cell"))])), ("Version", .string(VersionCommand.dockerCompatibleVersion)),
            ("ApiVersion", .string(VersionCommand.apiVersion)), ("DefaultAPIVersion", .string(VersionCommand.apiVersion)),
            ("GitCommit", .string(cell)), ("GoVersion", .string("swift")), ("Os", .string("linux")), ("Arch", .string(arch)),
            ("BuildTime", .string("")), ("Context", .string("default")),
        ])
        let server: JSONValue = .object([
            ("Platform", .object([("Name", .string("cell \(cell)"))])),
            ("Components", .array([.object([("Name", .string("Engine")), ("Version", .string(VersionCommand.dockerCompatibleVersion)),
                                            ("Details", .object([("ApiVersion", .string(VersionCommand.apiVersion)),
                                                                 ("Os", .string("linux")), ("Arch", .string(arch))]))]),
                                   .object([("Name", .string("cell")), ("Version", .string(cell))])])),
            ("Version", .string(VersionCommand.dockerCompatibleVersion)), ("ApiVersion", .string(VersionCommand.apiVersion)),
            ("MinAPIVersion", .string("1.12")), ("GitCommit", .string(cell)), ("GoVersion", .string("swift")),
            ("Os", .string("linux")), ("Arch", .string(arch)), ("KernelVersion", .string(Self.kernelVersion)),
        ])
        let document: JSONValue = .object([("Client", client), ("Server", server)])
        if let format {
            if format == "json" {
                Output.line(document.serialized(indent: nil, escapingHTML: false))
            } else {
                Output.line(try GoTemplate(format).render(document))
            }
            return
        }
        Output.line("""
            Client:
             Version:           \(VersionCommand.dockerCompatibleVersion)
             API version:       \(VersionCommand.apiVersion)
             Go version:        swift
             Git commit:        \(cell)
             OS/Arch:           linux/\(arch)
             Context:           default

            Server: cell \(cell)
             Engine:
              Version:          \(VersionCommand.dockerCompatibleVersion)
              API version:      \(VersionCommand.apiVersion) (minimum version 1.12)
              OS/Arch:          linux/\(arch)
              Kernel Version:   \(Self.kernelVersion)
             cell:
              Version:          \(cell)
            """)
    }

    static var kernelVersion: String {
        (try? FileSystem.readFileIfPresent("/proc/sys/kernel/osrelease")).flatMap { $0 }
            .map { String(decoding: $0, as: UTF8.self).trimmedWhitespace } ?? ""
    }
}
