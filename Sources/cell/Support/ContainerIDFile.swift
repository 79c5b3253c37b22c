#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// `--cidfile`: the new container's id written to a file, as the Docker CLI writes it. The file
/// is claimed (created, exclusively) before the container is, so that two runs never share one,
/// and removed again when the creation fails.
struct ContainerIDFile {
    let path: String

    /// Claims `path`; an existing file is refused in Docker's words.
    init(claiming path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 {
            if errno == EEXIST {
                throw CellError.usage("container ID file found, make sure the other container isn't running or delete \(path)")
            }
            throw CellError.usage("failed to create the container ID file: open \(path): \(Syscall.lowercaseErrorString(errno))")
        }
        close(fd)
        self.path = path
    }

    func write(_ id: String) throws {
        try FileSystem.writeAtomically(Array(id.utf8), to: path, mode: 0o644)
    }

    func discard() {
        unlink(path)
    }
}
