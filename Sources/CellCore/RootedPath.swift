#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCore

/// A path inside a directory that stands for "/" (a container's root, a layer, a build
/// context): resolved with openat2(RESOLVE_IN_ROOT), so neither "..", an absolute symlink nor
/// a magic link (/proc/self/root) leads out of it, whatever the tree holds. The one Swift entry
/// to the resolution the container's child also uses (CCore's `cell_open_in_root`).
public enum RootedPath {
    /// `path` opened with `flags` (O_CLOEXEC always) inside `root`: the fd, or -errno (callers
    /// tell ENOENT, ENOTDIR and ELOOP apart). A leading "/" is dropped; "" or "/" is the root.
    public static func open(_ path: String, in root: Int32, flags: Int32, mode: mode_t = 0) -> Int32 {
        cell_open_in_root(root, path, flags, UInt32(mode))
    }

    /// `path` opened with `flags` below `directory` without following any symlink: the fd, or
    /// -errno (ELOOP where a symlink is on the way). For a tree being written, such as a layer.
    public static func openBeneath(_ path: String, in directory: Int32, flags: Int32) -> Int32 {
        cell_open_beneath(directory, path, flags)
    }
}

/// The GNU open flags that Swift's Glibc module does not export.
public enum OpenFlags {
    /// O_PATH: a descriptor that names a file without opening it for I/O.
    public static let path = Int32(CELL_O_PATH.rawValue)
    /// AT_EMPTY_PATH: the *at call acts on the descriptor itself.
    public static let emptyPath = Int32(CELL_AT_EMPTY_PATH.rawValue)
    /// O_TMPFILE (with O_DIRECTORY): an unnamed file in a directory, gone when closed.
    public static let temporaryFile = Int32(CELL_O_TMPFILE.rawValue)
}
