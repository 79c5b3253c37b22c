import ArgumentParser
import CellContainers
import CellCore
import CellImage
import CellRuntime

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

    @Argument(help: "SOURCE")
    var source: String

    @Argument(help: "DESTINATION")
    var destination: String

    func run() throws {
        let from = CopyEndpoint(source), to = CopyEndpoint(destination)
        switch (from.container, to.container) {
        case (let name?, nil) where destination == "-":
            try withContainer(name) { container in
                try ContainerTarCopy.copyOut(containerDirectory: container.directory, containerPath: from.path,
                                             followLink: followLink, containerName: name, store: GlobalOptions.imageStore(), to: 1)
            }
        case (nil, let name?) where source == "-":
            try withContainer(name) { container in
                try ContainerTarCopy.copyIn(from: 0, containerDirectory: container.directory, containerPath: to.path,
                                            containerName: name, store: GlobalOptions.imageStore())
            }
        case (nil, nil):
            throw CellError.usage("must specify at least one container source")
        case (.some, .some):
            throw CellError.usage("copying between containers is not supported")
        case (let name?, nil):
            try withContainer(name) { container in
                try ContainerCopy.copyOut(containerDirectory: container.directory, containerPath: from.path, hostPath: to.path,
                                          preserveOwnership: archive, followLink: followLink, containerName: name)
            }
        case (nil, let name?):
            try withContainer(name) { container in
                try ContainerCopy.copyIn(hostPath: from.path, containerDirectory: container.directory, containerPath: to.path,
                                         preserveOwnership: archive, followLink: followLink, containerName: name)
            }
        }
    }

    /// Under the container's lock, as ContainerRootAccess needs: no start, rm or commit meanwhile.
    private func withContainer(_ name: String, _ body: (Container) throws -> Void) throws {
        try DaemonError.reporting {
            let store = try GlobalOptions.containerStore()
            let container = try store.resolve(name)
            try store.withLock(container) { try body(container) }
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
