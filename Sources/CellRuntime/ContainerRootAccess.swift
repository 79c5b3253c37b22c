#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// An fd of a container's root directory from the host, running or not, without mounting
/// anything anywhere:
///
/// - running: /proc/<pid>/root, the root of its own mount namespace (volumes, /dev, /proc
///   included), checked to belong to the container's pid 1;
/// - stopped: its overlay mounted with the new mount API into no namespace at all (a
///   "detached" mount, reachable through the fd only, unmounted when the fd is closed). Bind
///   mounts of the spec are not part of it. The caller holds the container's lock, so the
///   container does not start on the same upper directory meanwhile.
public final class ContainerRootAccess {
    public let fd: Int32
    public let spec: ContainerSpec
    public let isRunning: Bool

    public init(containerDirectory: String) throws {
        spec = try ContainerSpec.read(fromContainerDirectory: containerDirectory)
        if let container = try? RunningContainer(containerDirectory: containerDirectory) {
            fd = try container.openRoot()
            isRunning = true
            return
        }
        isRunning = false
        fd = try ContainerFilesystemView.open(spec.rootFilesystem, writable: true)
    }

    /// Writing into a running container with its own user namespace would go through its overlay
    /// with host ids that its idmapped upper layer cannot store (EOVERFLOW): refused by name.
    /// A stopped one is written through an overlay of its own, without the mapping.
    public func checkWritable() throws {
        if isRunning && spec.idMapping != nil {
            throw CellError.conflict("copying into a running container with a user namespace (--uidmap, --userns=auto) is not supported: stop it first")
        }
        if !isRunning && spec.readOnlyRootFilesystem {
            throw CellError.conflict(Self.readOnlyRootMessage)
        }
    }

    /// Docker's words for a copy into a `--read-only` container (the API answers them with 403).
    public static let readOnlyRootMessage = "container rootfs is marked read-only"

    deinit { close(fd) }
}
