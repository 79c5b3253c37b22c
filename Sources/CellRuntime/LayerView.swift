#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// A read-only view of image layers merged, mounted nowhere: for reading an image's files
/// without a container (COPY --from, `cell test`'s file tests).
public enum LayerView {
    /// An O_PATH fd of the merged root of `layers` (bottom first): the one directory itself,
    /// or a read-only overlay attached to no mount namespace, unmounted when the fd closes.
    public static func open(_ layers: [String]) throws -> Int32 {
        if layers.isEmpty { throw CellError.invalidInput("the image has no layers") }
        if layers.count == 1 {
            let fd = Glibc.open(layers[0], OpenFlags.path | O_DIRECTORY | O_CLOEXEC)
            if fd < 0 { throw CellError.system("open \(layers[0]): \(Syscall.errorString(errno))") }
            return fd
        }
        let fd = cell_mount_overlay_detached(OverlayPaths.lowerDirectories(layers.reversed()), nil, nil)
        if fd < 0 { throw CellError.system("mount the layers: \(Syscall.errorString(-fd))") }
        return fd
    }
}
