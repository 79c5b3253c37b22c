import ArgumentParser
import CellContainers
import CellCore

/// `docker cp`: exactly one side names a container (`NAME:PATH`); links inside the container
/// never lead a copy out of its root.
struct CopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp",
        abstract: "Copy files/folders between a container and the local filesystem.",
        usage: "cell cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH\n       cell cp [OPTIONS] SRC_PATH CONTAINER:DEST_PATH")

    @Flag(name: [.customShort("a"), .customLong("archive")], help: "Archive mode (copy all uid/gid information).")
    var archive = false

    @Flag(name: [.customShort("L"), .customLong("follow-link")], help: "Always follow symbol link in SRC_PATH.")
    var followLink = false

    @Flag(name: [.customShort("q"), .long], help: "Suppress progress output during copy.")
    var quiet = false

    @Argument(help: "SOURCE", completion: .file())
    var source: String

    @Argument(help: "DESTINATION", completion: .file())
    var destination: String

    func run() throws {
        let from = CopyEndpoint(source), to = CopyEndpoint(destination)
        let name: String, copy: ContainerFileCopy
        switch (from.container, to.container) {
        case (nil, nil):
            throw CellError.usage("must specify at least one container source")
        case (.some, .some):
            throw CellError.usage("copying between containers is not supported")
        case (let container?, nil):
            name = container
            copy = ContainerFileCopy(direction: .outOfContainer, containerPath: from.path,
                                     host: destination == "-" ? .tarStream(1) : .path(to.path),
                                     preserveOwnership: archive, followLink: followLink)
        case (nil, let container?):
            name = container
            copy = ContainerFileCopy(direction: .intoContainer, containerPath: to.path,
                                     host: source == "-" ? .tarStream(0) : .path(from.path),
                                     preserveOwnership: archive, followLink: followLink)
        }
        try DaemonError.reporting {
            try GlobalOptions.containerStore().copy(copy, container: name, images: GlobalOptions.imageStore)
        }
    }
}

/// `NAME:PATH` or a local path. As in docker, a local path with a colon must start with `/` or
/// `.` (`./a:b`) to be read as local.
struct CopyEndpoint {
    var container: String?
    var path: String

    init(_ text: String) {
        if text.hasPrefix("/") || text.hasPrefix(".") {
            container = nil
            path = text
        } else if let colon = text.firstIndex(of: ":") {
            container = String(text[..<colon])
            path = String(text[text.index(after: colon)...])
        } else {
            container = nil
            path = text
        }
    }
}
