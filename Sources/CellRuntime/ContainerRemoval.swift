#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import CellNetwork

/// Deleting a container's directory, shared by `cell rm` and the monitor of a `--rm` container.
public enum ContainerRemoval {
    /// Renamed first to `.rm-<id>` beside it, so that a crash mid-removal never leaves half a
    /// container under its id (the store sweeps such leftovers).
    public static func removeDirectory(_ directory: String) throws {
        try FileSystem.removeTree(try takeAside(directory))
    }

    /// What a `--rm` container leaves once it is out of the store: trees no one can reach by
    /// name any more, to delete when there is time.
    public struct Remains: Sendable {
        var trees: [String] = []

        /// Deletes them (a kill -9 meanwhile leaves `.rm-` trees that the stores sweep).
        public func delete() {
            for tree in trees { try? FileSystem.removeTree(tree) }
        }
    }

    /// docker run --rm, done by the monitor once the container has exited and nothing of it
    /// runs: out of the store in a few renames, so that it is gone from `ps -a` and its name
    /// free when the client hears the exit status; the deleting (`Remains.delete`) can come
    /// after. The name is freed first: while the directory exists no new container can take
    /// the name, so the link cannot have been replaced under us.
    public static func takeOut(_ spec: ContainerSpec, directory: String) throws -> Remains {
        if let nameLink = spec.nameLink { FileSystem.removeSymlink(nameLink, ifPointingTo: spec.id) }
        var remains = Remains(trees: [try takeAside(directory)])
        // Docker's --rm takes the container's anonymous volumes along (named ones stay).
        remains.trees += spec.anonymousVolumes.compactMap(takeVolumeAside)
        // Its addresses free again (the file names the container that has it).
        for attachment in spec.networkAttachments {
            if AddressClaim.owner(at: attachment.addressClaim) == spec.id {
                unlink(attachment.addressClaim)
            }
        }
        return remains
    }

    /// A volume directory, renamed aside first so that it is whole or gone.
    public static func removeVolume(_ path: String) {
        guard let doomed = takeVolumeAside(path) else { return }
        try? FileSystem.removeTree(doomed)
    }

    /// The container's directory renamed to `.rm-<id>` beside it; that name.
    private static func takeAside(_ directory: String) throws -> String {
        let doomed = "\(FileSystem.dirname(of: directory))/.rm-\(FileSystem.basename(of: directory))"
        if rename(directory, doomed) != 0 && errno != ENOENT {
            throw CellError.system("remove container \(FileSystem.basename(of: directory).prefix(12)): \(Syscall.errorString(errno))")
        }
        return doomed
    }

    private static func takeVolumeAside(_ path: String) -> String? {
        let doomed = FileSystem.dirname(of: path) + "/.rm-" + FileSystem.basename(of: path) + "-" + FileSystem.randomSuffix()
        return Glibc.rename(path, doomed) == 0 ? doomed : nil
    }
}
