#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// A container's own file system, running or not, as `docker export` sees it: its image's
/// layers and its writable layer, without the mounts of its namespace (/proc, /sys, binds).
/// A read-only overlay mounted into no namespace, the writable layer as its top lower layer
/// (its whiteouts still hide what they delete), reachable through `fd` only and unmounted when
/// it is closed; nodev and nosuid, so nothing in it opens a host device. Having no upper
/// directory, it never writes into the container's while that is mounted by a running one.
public final class ContainerFilesystemView {
    public let fd: Int32

    public init(containerDirectory: String) throws {
        let spec = try ContainerSpec.read(fromContainerDirectory: containerDirectory)
        fd = try Self.open(spec.rootFilesystem, writable: false)
    }

    /// An fd of `root` mounted into no namespace: writable (through its upper directory), or
    /// read-only with the upper directory as the top lower layer.
    static func open(_ root: ContainerSpec.RootFilesystem, writable: Bool) throws -> Int32 {
        switch root {
        case .directory(let path):
            let opened = Glibc.open(path, OpenFlags.path | O_DIRECTORY | O_CLOEXEC)
            if opened < 0 { throw CellError.system("open \(path): \(Syscall.errorString(errno))") }
            return opened
        case .overlay(let overlay):
            let mounted = writable
                ? cell_mount_overlay_detached(OverlayPaths.lowerDirectories(overlay.lowerDirectories), overlay.upperDirectory,
                                              overlay.workDirectory)
                : cell_mount_overlay_detached(OverlayPaths.lowerDirectories([overlay.upperDirectory] + overlay.lowerDirectories),
                                              nil, nil)
            if mounted < 0 {
                throw CellError.system("mount the container's file system: \(Syscall.errorString(-mounted))")
            }
            return mounted
        }
    }

    /// A path that names the view's root in this process, for code that opens by path.
    public var path: String { "/proc/self/fd/\(fd)" }

    deinit { close(fd) }
}
