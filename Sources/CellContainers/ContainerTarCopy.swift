#if canImport(Glibc)
import Glibc
#endif
import CellArchive
import CellCore
import CellImage
import CellRuntime

/// `docker cp` with a tar stream on one side (`cp C:PATH -`, `cp - C:DIR`). The stream goes
/// through a private staging directory, so the container side uses the same root-confined
/// copy as every other `cp`, and the tar side the same safe extraction as image layers: a
/// hostile tar (`..`, absolute names, links out) cannot write outside the container's root.
/// The staging directory is in the store's tmp/, inside a write session, so a garbage
/// collection (which empties tmp/) waits for the copy instead of deleting under it.
public enum ContainerTarCopy {
    /// The container's PATH as a tar on `output`: one entry named after PATH's last component
    /// (its contents, for `PATH/.`), owners and modes as they are in the container.
    public static func copyOut(containerDirectory: String, containerPath: String, followLink: Bool = false,
                               containerName: String? = nil, store: ImageStore, to output: Int32) throws {
        try copyOut(containerDirectory: containerDirectory, containerPath: containerPath, followLink: followLink,
                    containerName: containerName, store: store) { buffer in
            guard Syscall.writeAll(output, buffer) else { throw CellError.system("write: \(Syscall.errorString(errno))") }
        }
    }

    /// The same tar, handed to `sink` piece by piece.
    public static func copyOut(containerDirectory: String, containerPath: String, followLink: Bool = false,
                               containerName: String? = nil, store: ImageStore,
                               sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        try store.withWriteSession {
            try copyOut(containerDirectory: containerDirectory, containerPath: containerPath, followLink: followLink,
                        containerName: containerName, staging: store.layout.temporary, sink: sink)
        }
    }

    private static func copyOut(containerDirectory: String, containerPath: String, followLink: Bool,
                                containerName: String?, staging: String,
                                sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        let directory = try FileSystem.makeTemporaryDirectory(in: staging, prefix: "cp")
        defer { try? FileSystem.removeTree(directory) }
        try ContainerCopy.copyOut(containerDirectory: containerDirectory, containerPath: containerPath,
                                  hostPath: directory + "/", preserveOwnership: true, followLink: followLink,
                                  containerName: containerName)
        let writer = try TarWriter(sink: sink)
        try DirectoryArchiver().archive(directory, into: writer)
        try writer.finish()
    }

    /// A tar read from `input`, extracted into the container's directory DIR, which must exist.
    public static func copyIn(from input: Int32, containerDirectory: String, containerPath: String,
                              containerName: String? = nil, store: ImageStore) throws {
        guard try ContainerCopy.isDirectory(containerDirectory: containerDirectory, containerPath: containerPath,
                                            containerName: containerName, forWriting: true) else {
            throw CellError.invalidInput("extraction point is not a directory")
        }
        try store.withWriteSession {
            try copyIn(from: input, containerDirectory: containerDirectory, containerPath: containerPath,
                       containerName: containerName, staging: store.layout.temporary)
        }
    }

    private static func copyIn(from input: Int32, containerDirectory: String, containerPath: String,
                               containerName: String?, staging: String) throws {
        let directory = try FileSystem.makeTemporaryDirectory(in: staging, prefix: "cp")
        defer { try? FileSystem.removeTree(directory) }
        let reader = try TarReader(fileDescriptor: input, name: "stdin")
        _ = try LayerExtractor(whiteouts: .keptAsFiles).extract(reader, into: directory)
        try ContainerCopy.copyIn(hostPath: directory + "/.", containerDirectory: containerDirectory,
                                 containerPath: containerPath, preserveOwnership: true, containerName: containerName)
    }
}
