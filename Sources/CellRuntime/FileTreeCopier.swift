#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// Copies a file tree from one directory fd to another, one name at a time: sources are
/// opened with O_NOFOLLOW relative to their directory's fd, destinations created with *at
/// calls relative to theirs, metadata set through fds (never through a path that a symlink
/// could redirect). Regular files, directories, symlinks (as links), device nodes and fifos;
/// sockets are skipped (as tar does). `cp` and the builder's COPY use it.
public final class FileTreeCopier {
    /// What to do with an entry, by its path relative to where the copy started.
    public enum Selection: Sendable { case copy, skip, descendOnly }

    /// (uid, gid) every copy gets; nil keeps the source's.
    let owner: (UInt32, UInt32)?
    /// Permission bits every copy gets but links (COPY --chmod); nil keeps the source's.
    let mode: mode_t?
    let select: ((String) -> Selection)?
    /// For what lands on the host from a container (`cp` out without -a): no set-id bits, and
    /// device nodes that only their owner may open. A container may make a node of the host's
    /// disk, mode 666, or a setuid-root shell; copied out as they are, any host user could use
    /// them (Docker copies both as they are).
    let defusesPrivileges: Bool
    private var buffer = [UInt8](repeating: 0, count: 256 * 1024)

    public init(owner: (UInt32, UInt32)?, mode: mode_t? = nil, defusesPrivileges: Bool = false,
                select: ((String) -> Selection)? = nil) {
        self.owner = owner
        self.mode = mode
        self.defusesPrivileges = defusesPrivileges
        self.select = select
    }

    /// The permission bits a copy of a file with `st` gets.
    private func permissions(_ st: stat) -> mode_t {
        var bits = mode ?? (st.st_mode & 0o7777)
        guard defusesPrivileges else { return bits }
        bits &= ~mode_t(0o6000)
        let type = st.st_mode & S_IFMT
        if type == S_IFCHR || type == S_IFBLK { bits &= 0o600 }
        return bits
    }

    private var pathFlags: Int32 { OpenFlags.path | O_NOFOLLOW | O_CLOEXEC }

    /// Copies the entry `source` (an O_PATH fd, possibly of a symlink) as `name` in `parent`;
    /// `relativePath` names it for `select`.
    public func copy(_ source: Int32, to parent: Int32, name: String, relativePath: String = "") throws {
        var st = stat()
        guard fstat(source, &st) == 0 else { throw failure("stat", name) }
        var existing = stat()
        let exists = fstatat(parent, name, &existing, AT_SYMLINK_NOFOLLOW) == 0
        let existingIsDirectory = exists && (existing.st_mode & S_IFMT) == S_IFDIR
        let type = st.st_mode & S_IFMT

        if type == S_IFDIR {
            if exists && !existingIsDirectory {
                throw CellError.conflict("cannot overwrite non-directory \"\(name)\" with directory")
            }
            if !exists && mkdirat(parent, name, 0o700) != 0 { throw failure("mkdir", name) }
            let target = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if target < 0 { throw failure("open", name) }
            defer { close(target) }
            try copyContents(of: source, into: target, relativePath: relativePath)
            try setMetadata(fd: target, st, name: name)
            return
        }
        if existingIsDirectory {
            throw CellError.conflict("cannot overwrite directory \"\(name)\" with non-directory")
        }
        if exists && !(type == S_IFREG && (existing.st_mode & S_IFMT) == S_IFREG) {
            if unlinkat(parent, name, 0) != 0 { throw failure("remove", name) }
        }
        switch type {
        case S_IFREG:
            try copyFile(source, to: parent, name: name, st)
        case S_IFLNK:
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlinkat(source, "", &target, target.count - 1)
            if n < 0 { throw failure("readlink", name) }
            target[n] = 0
            if symlinkat(target, parent, name) != 0 { throw failure("symlink", name) }
            let (uid, gid) = owner ?? (st.st_uid, st.st_gid)
            if fchownat(parent, name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0 { throw failure("chown", name) }
            var times = [st.st_atim, st.st_mtim]
            if utimensat(parent, name, &times, AT_SYMLINK_NOFOLLOW) != 0 { throw failure("set times of", name) }
        case S_IFCHR, S_IFBLK, S_IFIFO:
            if mknodat(parent, name, type | 0o600, st.st_rdev) != 0 { throw failure("mknod", name) }
            let node = openat(parent, name, pathFlags)
            if node < 0 { throw failure("open", name) }
            defer { close(node) }
            try setMetadata(pathFD: node, st, name: name)
        default:
            return
        }
    }

    /// Copies every entry of the directory `source` (an O_PATH or directory fd) into `target`.
    public func copyContents(of source: Int32, into target: Int32, relativePath: String = "") throws {
        let directory = openat(source, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory < 0 { throw failure("open", ".") }
        defer { close(directory) }
        for name in try FileSystem.names(inDirectory: directory, path: ".") {
            let child = openat(directory, name, pathFlags)
            if child < 0 {
                if errno == ENOENT { continue }
                throw failure("open", name)
            }
            defer { close(child) }
            let childPath = relativePath.isEmpty ? name : relativePath + "/" + name
            switch select?(childPath) ?? .copy {
            case .copy: try copy(child, to: target, name: name, relativePath: childPath)
            case .skip: continue
            case .descendOnly:
                // An excluded directory that an exception pattern may reach into.
                var st = stat()
                guard fstat(child, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
                try copy(child, to: target, name: name, relativePath: childPath)
            }
        }
    }

    private func copyFile(_ source: Int32, to parent: Int32, name: String, _ st: stat) throws {
        // Both ends opened for I/O only as the regular files they were checked to be: the
        // source's O_PATH fd is reopened, the destination (which a running container may swap
        // for a device node it made) looked up once and checked before it is opened.
        let input = try RegularFile.reopen(source, flags: O_RDONLY, describing: name)
        defer { close(input) }
        let output: Int32
        do {
            output = try RegularFile.open(at: parent, name, flags: O_WRONLY | O_TRUNC, describing: name)
        } catch let error as CellError where error.kind == .notFound {
            output = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if output < 0 { throw failure("create", name) }
        }
        defer { close(output) }
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw failure("read", name) }
            if n == 0 { break }
            var offset = 0
            while offset < n {
                let written = buffer.withUnsafeBytes { write(output, $0.baseAddress! + offset, n - offset) }
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { throw failure("write", name) }
                offset += written
            }
        }
        try setMetadata(fd: output, st, name: name)
    }

    /// Owner, then mode (chown clears set-id bits), then times, through an open fd.
    private func setMetadata(fd: Int32, _ st: stat, name: String) throws {
        let (uid, gid) = owner ?? (st.st_uid, st.st_gid)
        if fchown(fd, uid, gid) != 0 { throw failure("chown", name) }
        if fchmod(fd, permissions(st)) != 0 { throw failure("chmod", name) }
        var times = [st.st_atim, st.st_mtim]
        if futimens(fd, &times) != 0 { throw failure("set times of", name) }
    }

    /// The same for a node we cannot open for I/O (a device, a fifo): through its O_PATH fd.
    private func setMetadata(pathFD: Int32, _ st: stat, name: String) throws {
        let (uid, gid) = owner ?? (st.st_uid, st.st_gid)
        let path = "/proc/self/fd/\(pathFD)"
        if fchownat(pathFD, "", uid, gid, OpenFlags.emptyPath) != 0 { throw failure("chown", name) }
        if chmod(path, permissions(st)) != 0 { throw failure("chmod", name) }
        var times = [st.st_atim, st.st_mtim]
        if utimensat(AT_FDCWD, path, &times, 0) != 0 { throw failure("set times of", name) }
    }

    private func failure(_ action: String, _ name: String) -> CellError {
        CellError.system("\(action) \(name): \(Syscall.errorString(errno))")
    }
}
