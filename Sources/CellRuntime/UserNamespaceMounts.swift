#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// What a container with an `IDMapping` starts from: its user namespace, and each overlay layer
/// (and the directory that holds its upper and work directories) as an idmapped mount of that
/// namespace, named for the overlay by /proc/self/fd paths. Why: Sources/CRuntime/user_namespace.c.
/// The fds are closed with this object; the child has its own copies until it execs.
final class UserNamespaceMounts {
    let namespace: Int32
    let mounts: [Int32]
    let overlayOptions: String

    init(mapping: IDMapping, overlay: ContainerSpec.Overlay) throws {
        let created = cell_user_namespace_create(mapping.uids.mapLine, mapping.gids.mapLine)
        guard created >= 0 else {
            throw CellError(.setup, "create the user namespace: \(Syscall.errorString(-created))")
        }
        namespace = created
        let writable = FileSystem.dirname(of: overlay.upperDirectory)
        guard FileSystem.dirname(of: overlay.workDirectory) == writable else {
            close(created)
            throw CellError(.setup, "a user namespace needs the upper and work directories side by side")
        }
        var opened: [Int32] = []
        func idmapped(_ directory: String) throws -> Int32 {
            let fd = cell_open_idmapped(directory, created)
            guard fd >= 0 else { throw CellError(.setup, "idmapped mount of \(directory): \(Syscall.errorString(-fd))") }
            opened.append(fd)
            return fd
        }
        let lower: [String]
        let writableFD: Int32
        do {
            lower = try overlay.lowerDirectories.map { "/proc/self/fd/\(try idmapped($0))" }
            writableFD = try idmapped(writable)
        } catch {
            for fd in opened { close(fd) }
            close(created)
            throw error
        }
        mounts = opened
        let writableRoot = "/proc/self/fd/\(writableFD)/"
        overlayOptions = OverlayPaths.mountOptions(lower: lower,
                                                   upper: writableRoot + FileSystem.basename(of: overlay.upperDirectory),
                                                   work: writableRoot + FileSystem.basename(of: overlay.workDirectory))
    }

    deinit {
        for fd in mounts { close(fd) }
        close(namespace)
    }
}
