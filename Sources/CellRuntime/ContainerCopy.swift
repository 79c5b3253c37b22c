#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// `docker cp` between the host and a container, running or stopped, with docker's rules:
///
/// - a file onto a missing path creates it; onto a file replaces it; onto a directory goes
///   inside it under its own name; onto a missing path ending in "/" fails;
/// - a directory onto a missing path becomes it; onto a directory goes inside it, or only its
///   contents when the source ends in "/."; onto a file fails;
/// - a symlink as the source is copied as a link (unless `followLink`, docker's -L);
/// - modes and times are kept; ownership is root's in the container and ours on the host,
///   or the source's with `preserveOwnership` (docker's -a).
///
/// Container paths are resolved inside the container's root (openat2 RESOLVE_IN_ROOT), and
/// below that every step is one name relative to an fd, never following a symlink: a link
/// in the container (`/escape -> /`) can never make a copy read or write a host file, even
/// if the container swaps directories for links while the copy runs (CVE-2018-15664).
public enum ContainerCopy {
    /// Host → container.
    public static func copyIn(hostPath: String, containerDirectory: String, containerPath: String,
                              preserveOwnership: Bool = false, followLink: Bool = false, containerName: String? = nil) throws {
        let access = try ContainerRootAccess(containerDirectory: containerDirectory)
        try access.checkWritable()
        let host = try HostRoot()
        let source = Side(root: host.fd, path: host.absolute(hostPath), describeMissing: { "lstat \($0): no such file or directory" })
        let destination = Side(root: access.fd, path: containerPath, describeMissing: {
            "Could not find the file \($0) in container \(containerName ?? access.spec.id)"
        })
        try copy(from: source, to: destination, owner: preserveOwnership ? nil : (0, 0), followLink: followLink)
    }

    /// Container → host.
    public static func copyOut(containerDirectory: String, containerPath: String, hostPath: String,
                               preserveOwnership: Bool = false, followLink: Bool = false, containerName: String? = nil) throws {
        let access = try ContainerRootAccess(containerDirectory: containerDirectory)
        let host = try HostRoot()
        let source = Side(root: access.fd, path: containerPath, describeMissing: {
            "Could not find the file \($0) in container \(containerName ?? access.spec.id)"
        })
        let destination = Side(root: host.fd, path: host.absolute(hostPath), describeMissing: { "lstat \($0): no such file or directory" })
        try copy(from: source, to: destination, owner: preserveOwnership ? nil : (getuid(), getgid()),
                 defusesPrivileges: !preserveOwnership, followLink: followLink)
    }

    /// Whether `containerPath` is a directory in the container (links resolved inside its
    /// root); throws docker's "Could not find the file" when it is missing. With `forWriting`,
    /// first whether the container can be written at all (before a caller stages anything).
    public static func isDirectory(containerDirectory: String, containerPath: String, containerName: String? = nil,
                                   forWriting: Bool = false) throws -> Bool {
        let access = try ContainerRootAccess(containerDirectory: containerDirectory)
        if forWriting { try access.checkWritable() }
        let fd = RootedPath.open(containerPath, in: access.fd, flags: OpenFlags.path)
        if fd == -ENOENT || fd == -ENOTDIR {
            throw CellError.notFound("Could not find the file \(containerPath) in container \(containerName ?? access.spec.id)")
        }
        if fd < 0 { throw CellError.system("open \(containerPath): \(Syscall.errorString(-fd))") }
        defer { close(fd) }
        var st = stat()
        return fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// One end of a copy: a root fd, a path inside it as the user wrote it, and how to say
    /// that a path is missing.
    struct Side {
        var root: Int32
        var path: String
        var describeMissing: (String) -> String

        /// The path without "/." and trailing slashes, and what those asked for.
        var parsed: (path: String, contentsOnly: Bool, mustBeDirectory: Bool) {
            var text = path
            let contentsOnly = text.hasSuffix("/.") || text == "."
            if contentsOnly { text.removeLast() }
            let mustBeDirectory = text.hasSuffix("/")
            while text.count > 1 && text.hasSuffix("/") { text.removeLast() }
            if !text.hasPrefix("/") { text = "/" + text }
            return (text, contentsOnly, mustBeDirectory || contentsOnly)
        }

        func missing(_ path: String) -> CellError { CellError.notFound(describeMissing(path)) }
    }

    static func copy(from source: Side, to destination: Side, owner: (UInt32, UInt32)?, defusesPrivileges: Bool = false,
                     followLink: Bool) throws {
        let from = source.parsed
        let to = destination.parsed
        let copier = FileTreeCopier(owner: owner, defusesPrivileges: defusesPrivileges)

        // The source: its own entry (a link stays a link) unless "/" or -L asks to follow it.
        let follow = followLink || from.mustBeDirectory || from.path == "/"
        let sourceFD = try openPath(source.root, from.path, follow: follow, side: source)
        defer { close(sourceFD) }
        var sourceStat = stat()
        guard fstat(sourceFD, &sourceStat) == 0 else { throw CellError.system("stat \(from.path): \(Syscall.errorString(errno))") }
        let sourceIsDirectory = (sourceStat.st_mode & S_IFMT) == S_IFDIR
        if from.mustBeDirectory && !sourceIsDirectory { throw CellError.invalidInput("not a directory") }
        let sourceName = FileSystem.basename(of: from.path)

        // The destination, every symlink in it resolved inside its root.
        let existing = RootedPath.open(to.path, in: destination.root, flags: OpenFlags.path)
        if existing >= 0 {
            defer { close(existing) }
            var st = stat()
            fstat(existing, &st)
            if (st.st_mode & S_IFMT) == S_IFDIR {
                let directory = try reopenDirectory(existing, path: to.path)
                defer { close(directory) }
                if sourceIsDirectory && (from.contentsOnly || from.path == "/") {
                    try copier.copyContents(of: sourceFD, into: directory)
                } else {
                    try copier.copy(sourceFD, to: directory, name: sourceName)
                }
                return
            }
            if to.mustBeDirectory { throw CellError.invalidInput("not a directory") }
            if sourceIsDirectory { throw CellError.invalidInput("cannot copy directory") }
        } else if existing != -ENOENT {
            throw existing == -ENOTDIR ? CellError.invalidInput("not a directory")
                : CellError.system("open \(to.path): \(Syscall.errorString(-existing))")
        } else if to.mustBeDirectory && !sourceIsDirectory {
            throw CellError.invalidInput("no such directory")
        }
        // A new entry (or a file replaced) named by the destination's last component.
        let parentPath = FileSystem.dirname(of: to.path)
        let parent = RootedPath.open(parentPath, in: destination.root, flags: O_RDONLY | O_DIRECTORY)
        if parent == -ENOENT { throw destination.missing(parentPath) }
        if parent < 0 { throw CellError.system("open \(parentPath): \(Syscall.errorString(-parent))") }
        defer { close(parent) }
        try copier.copy(sourceFD, to: parent, name: FileSystem.basename(of: to.path))
    }

    /// An O_PATH fd of `path` in `root`; with `follow` false, a final symlink is the link itself.
    static func openPath(_ root: Int32, _ path: String, follow: Bool, side: Side) throws -> Int32 {
        let flags = OpenFlags.path | (follow ? 0 : O_NOFOLLOW)
        let fd = RootedPath.open(path, in: root, flags: flags)
        if fd == -ENOENT || fd == -ENOTDIR { throw side.missing(path) }
        if fd < 0 { throw CellError.system("open \(path): \(Syscall.errorString(-fd))") }
        return fd
    }

    static func reopenDirectory(_ pathFD: Int32, path: String) throws -> Int32 {
        let fd = openat(pathFD, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw CellError.system("open \(path): \(Syscall.errorString(errno))") }
        return fd
    }
}

/// The host's "/" as a root fd (host paths are resolved as the host resolves them), and our
/// working directory for relative host paths.
final class HostRoot {
    let fd: Int32
    private let workingDirectory: String

    init() throws {
        fd = open("/", OpenFlags.path | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw CellError.system("open /: \(Syscall.errorString(errno))") }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        workingDirectory = getcwd(&buffer, buffer.count) != nil
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "/"
    }

    deinit { close(fd) }

    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (workingDirectory == "/" ? "" : workingDirectory) + "/" + path
    }
}
