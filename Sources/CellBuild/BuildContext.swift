#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage
import CellImagefile
import CellRuntime

/// The build context as COPY and ADD see it: a directory fd, every path resolved inside it (a
/// symlink is read as a link, never followed out of the context), and the `.cellignore` (else
/// `.dockerignore`) rules, which leave paths out of every source.
final class BuildContext {
    let path: String
    let root: Int32
    let ignore: IgnoreRules?
    let ignoreFileName: String
    /// What large files hashed to in earlier builds (none for a context of the builder's own).
    let fileDigests: ContextFileDigests?

    init(directory: String, fileDigests: ContextFileDigests? = nil) throws {
        path = directory
        self.fileDigests = fileDigests
        root = Glibc.open(directory, OpenFlags.path | O_DIRECTORY | O_CLOEXEC)
        if root < 0 { throw CellError.usage("unable to prepare context: path \"\(directory)\" not found") }
        var rules: IgnoreRules?
        var fileName = ".dockerignore"
        for candidate in [".cellignore", ".dockerignore"] {
            if let bytes = try ContextFileReader.read(candidate, in: root, what: candidate) {
                rules = try IgnoreRules(parsing: String(decoding: bytes, as: UTF8.self), fileName: candidate)
                fileName = candidate
                break
            }
        }
        ignore = rules
        ignoreFileName = fileName
    }

    deinit { close(root) }

    func isExcluded(_ relativePath: String) -> Bool {
        !relativePath.isEmpty && (ignore?.isExcluded(relativePath) ?? false)
    }

    /// What the copier does with a context path.
    func selection(_ relativePath: String) -> FileTreeCopier.Selection {
        guard isExcluded(relativePath) else { return .copy }
        return ignore?.mayReincludePaths(inside: relativePath) == true ? .descendOnly : .skip
    }

    /// The context paths a COPY source names: itself, or what its wildcards (`*`, `?`, `[...]`)
    /// match. A source that names nothing (or only excluded paths) is an error naming it.
    func expand(_ source: String, instruction: String) throws -> [String] {
        let cleaned = BuildContext.clean(source)
        let isPattern = cleaned.contains { "*?[".contains($0) }
        if !isPattern {
            guard !isExcluded(cleaned), exists(cleaned) else { throw notFound(source, instruction: instruction) }
            return [cleaned]
        }
        let pattern = try IgnorePattern(cleaned, isException: false)
        let matches = try allPaths().filter { pattern.matches($0) && !isExcluded($0) }
        guard !matches.isEmpty else { throw notFound(source, instruction: instruction) }
        return matches
    }

    private func notFound(_ source: String, instruction: String) -> CellError {
        CellError.invalidInput("\(instruction) failed: file not found in build context or excluded by \(ignoreFileName): stat \(source): file does not exist")
    }

    private func exists(_ relativePath: String) -> Bool {
        let fd = RootedPath.open(relativePath, in: root, flags: OpenFlags.path | O_NOFOLLOW)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }

    /// Opens a context path (O_PATH, a final symlink as the link itself).
    func open(_ relativePath: String) throws -> Int32 {
        let fd = RootedPath.open(relativePath, in: root, flags: OpenFlags.path | O_NOFOLLOW)
        if fd < 0 { throw CellError.system("open \(relativePath) in the build context: \(Syscall.errorString(-fd))") }
        return fd
    }

    /// Every path in the context, sorted, excluded directories not entered.
    private func allPaths() throws -> [String] {
        var result: [String] = []
        func walk(_ directory: Int32, _ prefix: String) throws {
            for name in try BuildContext.names(in: directory) {
                let relative = prefix.isEmpty ? name : prefix + "/" + name
                result.append(relative)
                if isExcluded(relative) && ignore?.mayReincludePaths(inside: relative) != true { continue }
                let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if child < 0 { continue }
                defer { close(child) }
                try walk(child, relative)
            }
        }
        let top = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if top < 0 { throw CellError.system("open the build context: \(Syscall.errorString(errno))") }
        defer { close(top) }
        try walk(top, "")
        return result
    }

    /// A digest of what copying `paths` would copy: names, types, modes, link targets and the
    /// digest of each file's contents, in a fixed order. Times and owners are not part of it
    /// (COPY sets the owner, and a checkout or touch must not defeat the cache).
    func contentDigest(of paths: [String]) throws -> Digest {
        var hasher = SHA256Hasher()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        func add(_ text: String) { hasher.update(Array(text.utf8)) }
        func hashContents(_ fd: Int32, _ relative: String) throws -> Digest {
            let input = Glibc.open("/proc/self/fd/\(fd)", O_RDONLY | O_CLOEXEC)
            if input < 0 { throw CellError.system("open \(relative): \(Syscall.errorString(errno))") }
            defer { close(input) }
            var contents = SHA256Hasher()
            while true {
                let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count < 0 { throw CellError.system("read \(relative): \(Syscall.errorString(errno))") }
                if count == 0 { break }
                buffer.withUnsafeBytes { contents.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
            return contents.finalize()
        }
        func visit(_ fd: Int32, _ relative: String) throws {
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw CellError.system("stat \(relative): \(Syscall.errorString(errno))") }
            let type = st.st_mode & S_IFMT
            add("\(relative)\u{0}\(type)\u{0}\(st.st_mode & 0o7777)\u{0}\(st.st_size)\u{0}")
            switch type {
            case S_IFREG:
                let digest = try fileDigests?.digest(of: st) { try hashContents(fd, relative) } ?? hashContents(fd, relative)
                add(digest.hex)
            case S_IFLNK:
                var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let count = readlinkat(fd, "", &target, target.count - 1)
                if count > 0 { add(String(decoding: target[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
            case S_IFDIR:
                let directory = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if directory < 0 { throw CellError.system("open \(relative): \(Syscall.errorString(errno))") }
                defer { close(directory) }
                for name in try BuildContext.names(in: directory) {
                    let child = relative.isEmpty ? name : relative + "/" + name
                    if isExcluded(child) && ignore?.mayReincludePaths(inside: child) != true { continue }
                    let childFD = openat(directory, name, OpenFlags.path | O_NOFOLLOW | O_CLOEXEC)
                    if childFD < 0 { continue }
                    defer { close(childFD) }
                    if isExcluded(child) {
                        var childStat = stat()
                        guard fstat(childFD, &childStat) == 0, (childStat.st_mode & S_IFMT) == S_IFDIR else { continue }
                    }
                    try visit(childFD, child)
                }
            default: break
            }
            add("\n")
        }
        for path in paths {
            let fd = try open(path)
            defer { close(fd) }
            try visit(fd, path)
        }
        return hasher.finalize()
    }

    /// A source as a clean context-relative path: no leading `/` or `./`, `.` and `..` resolved
    /// without leaving the context ("" is the context itself).
    static func clean(_ source: String) -> String {
        var parts: [Substring] = []
        for part in source.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return parts.joined(separator: "/")
    }

    /// A directory's names in a fixed (bytewise) order.
    static func names(in directory: Int32) throws -> [String] {
        try FileSystem.names(inDirectory: directory, path: "the build context").sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
