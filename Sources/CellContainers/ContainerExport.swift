#if canImport(Glibc)
import Glibc
#endif
import CellArchive
import CellCore
import CellRuntime

extension ContainerStore {
    /// `docker export`: the container's file system (image and writable layer, no mounts) as
    /// an uncompressed tar on `output`, paths relative to its root. Under the container's lock:
    /// no rm or commit meanwhile; a running container is read as it is. Every file is read as
    /// the regular file it was checked to be and no link is followed (`DirectoryArchiver`).
    public func export(_ reference: String, to output: Int32) throws {
        try export(reference) { buffer in
            guard Syscall.writeAll(output, buffer) else { throw CellError.system("write: \(Syscall.errorString(errno))") }
        }
    }

    /// The same tar, handed to `sink` piece by piece (the Engine API writes it to the connection).
    public func export(_ reference: String, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        let container = try resolve(reference)
        try withLock(container) {
            let view = try ContainerFilesystemView(containerDirectory: container.directory)
            let writer = try TarWriter(sink: sink)
            try DirectoryArchiver().archive(view.path, into: writer)
            try writer.finish()
        }
    }
}
