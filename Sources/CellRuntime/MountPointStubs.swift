#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// What the runtime creates in a container's writable layer only to mount over when the image
/// lacks it: the /etc files it binds (empty), /proc, /sys and /dev (empty directories). They are
/// not the container's changes: a build step's layer and `cell commit` leave them out.
public enum MountPointStubs {
    public static let files = ["etc/hosts", "etc/hostname", "etc/resolv.conf"]
    public static let directories = ["proc", "sys", "dev"]

    /// Whether `relativePath` in `upperDirectory` (with lstat `st`) is such a stub.
    public static func isStub(_ relativePath: String, _ st: stat, upperDirectory: String, imageLayers: [String]) -> Bool {
        let type = st.st_mode & S_IFMT
        if files.contains(relativePath) {
            return type == S_IFREG && st.st_size == 0 && !inImage(relativePath, imageLayers)
        }
        if directories.contains(relativePath) {
            return type == S_IFDIR && isEmptyDirectory("\(upperDirectory)/\(relativePath)") && !inImage(relativePath, imageLayers)
        }
        return false
    }

    /// Whether any of the image's layers has `relativePath` (a link counts, followed or not).
    public static func inImage(_ relativePath: String, _ layers: [String]) -> Bool {
        layers.contains { layer in
            var st = stat()
            return lstat("\(layer)/\(relativePath)", &st) == 0
        }
    }

    static func isEmptyDirectory(_ path: String) -> Bool {
        (try? FileSystem.contentsOfDirectory(path))?.isEmpty ?? false
    }
}
