#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// Deleting a container's directory, shared by `cell rm` and the monitor of a `--rm` container.
public enum ContainerRemoval {
    /// Renamed first to `.rm-<id>` beside it, so that a crash mid-removal never leaves half a
    /// container under its id (the store sweeps such leftovers).
    public static func removeDirectory(_ directory: String) throws {
        let doomed = "\(FileSystem.dirname(of: directory))/.rm-\(FileSystem.basename(of: directory))"
        if rename(directory, doomed) != 0 && errno != ENOENT {
            throw CellError.system("remove container \(FileSystem.basename(of: directory).prefix(12)): \(Syscall.errorString(errno))")
        }
        try FileSystem.removeTree(doomed)
    }

    /// docker run --rm, done by the monitor once the container has exited and its cgroup is
    /// gone. The name is freed first: while the directory exists no new container can take
    /// the name, so the link cannot have been replaced under us.
    public static func autoRemove(_ spec: ContainerSpec, directory: String) throws {
        if let nameLink = spec.nameLink { FileSystem.removeSymlink(nameLink, ifPointingTo: spec.id) }
        try removeDirectory(directory)
        // Docker's --rm takes the container's anonymous volumes along (named ones stay).
        for volume in spec.anonymousVolumes { removeVolume(volume) }
    }

    /// A volume directory, renamed aside first so that it is whole or gone.
    public static func removeVolume(_ path: String) {
        let doomed = FileSystem.dirname(of: path) + "/.rm-" + FileSystem.basename(of: path) + "-" + FileSystem.randomSuffix()
        guard Glibc.rename(path, doomed) == 0 else { return }
        try? FileSystem.removeTree(doomed)
    }
}
