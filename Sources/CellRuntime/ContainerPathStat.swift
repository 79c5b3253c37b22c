#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// A path in a container as the Engine API's `X-Docker-Container-Path-Stat` describes it (moby's
/// `container.PathStat`): the docker CLI reads it before a `cp` to know a file from a directory
/// and where a link leads. The path is resolved inside the container's root (its last component
/// not followed), as `ContainerCopy` resolves it.
public struct ContainerPathStat: Sendable, Equatable {
    /// The last component of the cleaned path ("/" for the root).
    public var name: String
    public var size: Int64
    /// Go's `os.FileMode` bits: the permission bits, then type and setuid/setgid/sticky flags high.
    public var mode: UInt32
    public var modificationTime: Timestamp
    /// For a link: where it leads, as an absolute path in the container; else empty.
    public var linkTarget: String

    /// The path's stat, through the container's root; Docker's "Could not find the file" when missing.
    public static func read(containerDirectory: String, containerPath: String, containerName: String? = nil) throws -> ContainerPathStat {
        let access = try ContainerRootAccess(containerDirectory: containerDirectory)
        let path = ContainerPathStat.cleaned(containerPath)
        let fd = RootedPath.open(path, in: access.fd, flags: OpenFlags.path | O_NOFOLLOW)
        if fd == -ENOENT || fd == -ENOTDIR {
            throw CellError.notFound("Could not find the file \(containerPath) in container \(containerName ?? access.spec.id)")
        }
        if fd < 0 { throw CellError.system("open \(containerPath): \(Syscall.errorString(-fd))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw CellError.system("stat \(containerPath): \(Syscall.errorString(errno))") }
        var linkTarget = ""
        if (st.st_mode & S_IFMT) == S_IFLNK {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            // An O_PATH fd of a link with an empty name reads the link itself.
            let count = readlinkat(fd, "", &buffer, buffer.count - 1)
            if count >= 0 {
                let text = String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                linkTarget = ContainerPathStat.cleaned(text.hasPrefix("/") ? text : FileSystem.dirname(of: path) + "/" + text)
            }
        }
        return ContainerPathStat(name: path == "/" ? "/" : FileSystem.basename(of: path), size: Int64(st.st_size),
                                 mode: goFileMode(st.st_mode),
                                 modificationTime: Timestamp(seconds: Int64(st.st_mtim.tv_sec), nanoseconds: Int32(st.st_mtim.tv_nsec)),
                                 linkTarget: linkTarget)
    }

    /// Go's `filepath.Clean` of an absolute path: "." and empty components dropped, ".." takes one
    /// back but never above "/". (Lexical only: the root's resolution is what confines the path.)
    public static func cleaned(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// `st_mode` as Go's `os.FileMode` (what Docker's clients decode).
    static func goFileMode(_ mode: mode_t) -> UInt32 {
        var result = UInt32(mode & 0o777)
        switch mode & S_IFMT {
        case S_IFDIR: result |= 1 << 31
        case S_IFLNK: result |= 1 << 27
        case S_IFBLK: result |= 1 << 26
        case S_IFCHR: result |= 1 << 26 | 1 << 21
        case S_IFIFO: result |= 1 << 25
        case S_IFSOCK: result |= 1 << 24
        default: break
        }
        if mode & S_ISUID != 0 { result |= 1 << 23 }
        if mode & S_ISGID != 0 { result |= 1 << 22 }
        if mode & S_ISVTX != 0 { result |= 1 << 20 }
        return result
    }
}
