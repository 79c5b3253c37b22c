#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small, explicit file-system operations used across the store and the runtime. Every write that
/// must survive a crash goes through `writeAtomically`.
public enum FileSystem {
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func fileSize(_ path: String) throws -> Int64 {
        var st = stat()
        try Syscall.retrying("stat \(path)") { stat(path, &st) }
        return Int64(st.st_size)
    }

    /// mkdir -p.
    public static func createDirectory(_ path: String, mode: mode_t = 0o755) throws {
        if isDirectory(path) { return }
        let parent = dirname(of: path)
        if parent != path && !parent.isEmpty { try createDirectory(parent, mode: mode) }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw CellError.system("mkdir \(path): \(Syscall.errorString(errno))")
        }
    }

    public static func dirname(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    public static func basename(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    public static func readFile(_ path: String) throws -> [UInt8] {
        let handle = try FileDescriptorHandle(path: path, flags: O_RDONLY)
        return try handle.readToEnd()
    }

    /// Reads a file that may be missing: nil when it is.
    public static func readFileIfPresent(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw CellError.system("open \(path): \(Syscall.errorString(errno))")
        }
        return try FileDescriptorHandle(fd: fd, path: path).readToEnd()
    }

    /// A unique temporary name beside `path` (same directory, so rename(2) is atomic).
    public static func temporaryName(besides path: String) -> String {
        let dir = dirname(of: path)
        return "\(dir)/.tmp-\(basename(of: path))-\(getpid())-\(randomSuffix())"
    }

    /// A new private directory `<parent>/<prefix>-<pid>-<random>` (the parent made if missing).
    public static func makeTemporaryDirectory(in parent: String, prefix: String, mode: mode_t = 0o700) throws -> String {
        try createDirectory(parent)
        let directory = "\(parent)/\(prefix)-\(getpid())-\(randomSuffix())"
        try createDirectory(directory, mode: mode)
        return directory
    }

    public static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() & 0xffff_ffff_ffff, radix: 16)
    }

    /// temp file + write + fsync + rename + fsync of the directory: after a crash the file holds
    /// either its old or its new content, never a mix. Without `durable`, no fsync: still never
    /// a mix for a reader or after a kill, but a power cut may lose the write.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644, durable: Bool = true) throws {
        try PendingReplacement(bytes, for: path, mode: mode, durable: durable).replace()
    }

    /// A file that must not exist yet, written and (when `durable`) fsynced; for directories
    /// published later by one rename (the caller syncs the directory once).
    public static func writeNewFile(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644, durable: Bool = true) throws {
        let handle = try FileDescriptorHandle(path: path, flags: O_WRONLY | O_CREAT | O_EXCL, mode: mode)
        try handle.writeAll(bytes)
        if durable { try handle.sync() }
        try handle.close()
    }

    /// realpath(3): every link resolved; nil when the path does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The target of the symlink at `path`, nil when it is not one.
    public static func symlinkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Removes the symlink at `path` if it still points at `target`.
    public static func removeSymlink(_ path: String, ifPointingTo target: String) {
        if symlinkTarget(path) == target { unlink(path) }
    }

    public static func rename(_ from: String, to: String) throws {
        try Syscall.retrying("rename \(from) to \(to)") { Glibc.rename(from, to) }
    }

    public static func syncDirectory(_ path: String) throws {
        let handle = try FileDescriptorHandle(path: path, flags: O_RDONLY | O_DIRECTORY)
        try handle.sync()
    }

    /// Names in a directory, without . and ..; empty when the directory is missing.
    public static func contentsOfDirectory(_ path: String) throws -> [String] {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return [] }
            throw CellError.system("opendir \(path): \(Syscall.errorString(errno))")
        }
        defer { close(fd) }
        return try names(inDirectory: fd, path: path)
    }

    /// The names of the directories in a directory, told by readdir's d_type (no stat per entry:
    /// a cgroup directory holds dozens of files); empty when the directory is missing.
    public static func subdirectories(_ path: String) throws -> [String] {
        guard let stream = opendir(path) else {
            if errno == ENOENT { return [] }
            throw CellError.system("opendir \(path): \(Syscall.errorString(errno))")
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name != "." && name != ".." else { continue }
            let type = entry.pointee.d_type
            if type == UInt8(DT_DIR) || (type == UInt8(DT_UNKNOWN) && isDirectory("\(path)/\(name)")) { names.append(name) }
        }
        return names
    }

    /// The names in an open directory, without . and .. (`path` names it in errors). The
    /// descriptor stays open: readdir works on a duplicate, read from the start.
    public static func names(inDirectory fd: Int32, path: String) throws -> [String] {
        // fdopendir takes ownership of the descriptor it is given, so give it a duplicate.
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw CellError.system("read directory \(path): \(Syscall.errorString(errno))")
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// rm -rf without following symlinks and without crossing into mounts' contents unawares:
    /// entries are removed through their directory fd (unlinkat), so a symlink is removed, never
    /// followed. Missing paths are fine.
    public static func removeTree(_ path: String) throws {
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT { return }
            throw CellError.system("stat \(path): \(Syscall.errorString(errno))")
        }
        if (st.st_mode & S_IFMT) != S_IFDIR {
            try Syscall.retrying("unlink \(path)") { unlink(path) }
            return
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            // Removed meanwhile by another process sweeping the same leftovers: done.
            if errno == ENOENT { return }
            throw CellError.system("open \(path): \(Syscall.errorString(errno))")
        }
        try removeContents(ofDirectory: fd, path: path)
        close(fd)
        if rmdir(path) != 0 && errno != ENOENT {
            throw CellError.system("rmdir \(path): \(Syscall.errorString(errno))")
        }
    }

    private static func removeContents(ofDirectory fd: Int32, path: String) throws {
        for name in try names(inDirectory: fd, path: path) {
            var st = stat()
            if fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                // A read-only layer directory may lack the write bit; root ignores it anyway.
                let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if child < 0 && errno == ENOENT { continue }
                if child < 0 { throw CellError.system("open \(path)/\(name): \(Syscall.errorString(errno))") }
                do {
                    try removeContents(ofDirectory: child, path: "\(path)/\(name)")
                } catch {
                    close(child)
                    throw error
                }
                close(child)
                if unlinkat(fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT {
                    throw CellError.system("rmdir \(path)/\(name): \(Syscall.errorString(errno))")
                }
            } else if unlinkat(fd, name, 0) != 0 && errno != ENOENT {
                throw CellError.system("unlink \(path)/\(name): \(Syscall.errorString(errno))")
            }
        }
    }

    /// Total bytes of regular files under a directory (du-like, hardlinks counted once).
    public static func diskUsage(_ path: String) -> Int64 {
        var seen = Set<UInt64>()
        return diskUsage(path, seen: &seen)
    }

    private static func diskUsage(_ path: String, seen: inout Set<UInt64>) -> Int64 {
        var st = stat()
        guard lstat(path, &st) == 0 else { return 0 }
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            var total: Int64 = 0
            for name in (try? contentsOfDirectory(path)) ?? [] {
                total += diskUsage("\(path)/\(name)", seen: &seen)
            }
            return total
        case S_IFREG:
            if st.st_nlink > 1 {
                if !seen.insert(UInt64(st.st_ino)).inserted { return 0 }
            }
            return Int64(st.st_size)
        default:
            return 0
        }
    }
}
