import CellCore
import CellImage
import CellRuntime

/// One `docker cp`: a path in a container (links resolved inside its root) to or from a host
/// path or a tar stream.
public struct ContainerFileCopy: Sendable {
    public enum Direction: Sendable {
        case outOfContainer
        case intoContainer
    }

    /// The host's side: a path, or a tar stream on a descriptor (`cp C:PATH -`, `cp - C:DIR`).
    public enum HostSide: Sendable {
        case path(String)
        case tarStream(Int32)
        /// A tar handed piece by piece to a closure (the Engine API's archive GET writes it to
        /// the connection); out of the container only.
        case tarSink(@Sendable (UnsafeRawBufferPointer) throws -> Void)
    }

    /// What a copy into a `--read-only` container throws (a conflict for the CLI, 403 for the API).
    public static let readOnlyRootMessage = ContainerRootAccess.readOnlyRootMessage

    public var direction: Direction
    public var containerPath: String
    public var host: HostSide
    /// -a: keep the owners as they are (else the receiving side's root, or the caller, owns the copies).
    public var preserveOwnership: Bool
    /// -L: follow a link at the source path.
    public var followLink: Bool

    public init(direction: Direction, containerPath: String, host: HostSide, preserveOwnership: Bool = false,
                followLink: Bool = false) {
        self.direction = direction
        self.containerPath = containerPath
        self.host = host
        self.preserveOwnership = preserveOwnership
        self.followLink = followLink
    }
}

extension ContainerStore {
    /// Copies under the container's lock, as ContainerRootAccess needs: no start, rm or commit
    /// meanwhile. `reference` names the container in messages as the user named it; `images`
    /// is opened for a tar stream only (it is staged in the store's tmp/).
    public func copy(_ copy: ContainerFileCopy, container reference: String, images: () throws -> ImageStore) throws {
        let container = try resolve(reference)
        try withLock(container) {
            let directory = container.directory
            switch (copy.direction, copy.host) {
            case (.outOfContainer, .tarStream(let output)):
                try ContainerTarCopy.copyOut(containerDirectory: directory, containerPath: copy.containerPath,
                                             followLink: copy.followLink, containerName: reference, store: images(), to: output)
            case (.outOfContainer, .tarSink(let sink)):
                try ContainerTarCopy.copyOut(containerDirectory: directory, containerPath: copy.containerPath,
                                             followLink: copy.followLink, containerName: reference, store: images(), sink: sink)
            case (.intoContainer, .tarSink):
                throw CellError.invalidInput("a tar sink only takes a copy out of a container")
            case (.intoContainer, .tarStream(let input)):
                try ContainerTarCopy.copyIn(from: input, containerDirectory: directory, containerPath: copy.containerPath,
                                            containerName: reference, store: images())
            case (.outOfContainer, .path(let hostPath)):
                try ContainerCopy.copyOut(containerDirectory: directory, containerPath: copy.containerPath, hostPath: hostPath,
                                          preserveOwnership: copy.preserveOwnership, followLink: copy.followLink,
                                          containerName: reference)
            case (.intoContainer, .path(let hostPath)):
                try ContainerCopy.copyIn(hostPath: hostPath, containerDirectory: directory, containerPath: copy.containerPath,
                                         preserveOwnership: copy.preserveOwnership, followLink: copy.followLink,
                                         containerName: reference)
            }
        }
    }
}

extension ContainerStore {
    /// What a path in the container is (the Engine API's archive HEAD and its stat header),
    /// under the container's lock as a copy reads it.
    public func statPath(_ containerPath: String, container reference: String) throws -> ContainerPathStat {
        let container = try resolve(reference)
        return try withLock(container) {
            try ContainerPathStat.read(containerDirectory: container.directory, containerPath: containerPath,
                                       containerName: reference)
        }
    }
}
