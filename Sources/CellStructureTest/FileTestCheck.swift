#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// fileExistenceTests and fileContentTests, on the target's root directory. Every path is
/// resolved inside that root (symlinks included), so a spec cannot read the host's files.
enum FileTestCheck {
    static func evaluate(_ test: StructureTestSpec.FileExistenceTest, on target: StructureTestTarget) -> TestResult {
        var result = TestResult(kind: .fileExistence, name: test.name)
        let status = lstatInRoot(target.rootDirectory, test.path)
        guard let st = status else {
            if test.shouldExist { result.errors.append("File \(test.path) should exist but does not") }
            return result
        }
        if !test.shouldExist {
            result.errors.append("File \(test.path) should not exist but does")
            return result
        }
        if let expected = test.permissions {
            let actual = goFileMode(st.st_mode)
            if actual != expected {
                result.errors.append("\(test.path) has incorrect permissions. Expected: \(expected), Actual: \(actual)")
            }
        }
        if let uid = test.uid, uid != st.st_uid {
            result.errors.append("\(test.path) has incorrect user ownership. Expected: \(uid), Actual: \(st.st_uid)")
        }
        if let gid = test.gid, gid != st.st_gid {
            result.errors.append("\(test.path) has incorrect group ownership. Expected: \(gid), Actual: \(st.st_gid)")
        }
        if let who = test.isExecutableBy {
            let bits: mode_t = switch who {
            case "owner": 0o100
            case "group": 0o010
            case "other": 0o001
            default: 0o111
            }
            if st.st_mode & bits == 0 {
                result.errors.append("\(test.path) has incorrect executable bit. Expected to be executable by \(who), Actual: \(goFileMode(st.st_mode))")
            }
        }
        return result
    }

    static func evaluate(_ test: StructureTestSpec.FileContentTest, on target: StructureTestTarget) -> TestResult {
        var result = TestResult(kind: .fileContent, name: test.name)
        // Resolved as an O_PATH fd and opened only as a regular file: in a running container
        // the path may be a device node, which the host must not open.
        let pathFD = RootedPath.open(test.path, in: target.rootDirectory, flags: OpenFlags.path)
        guard pathFD >= 0 else {
            result.errors.append("Failed to read \(test.path): \(Syscall.errorString(-pathFD))")
            return result
        }
        defer { close(pathFD) }
        let fd: Int32
        do {
            fd = try RegularFile.reopen(pathFD, flags: O_RDONLY, describing: test.path)
        } catch {
            result.errors.append("Failed to read \(test.path): \(error)")
            return result
        }
        let handle = FileDescriptorHandle(fd: fd, path: test.path)
        guard let bytes = try? handle.readToEnd(limit: 64 << 20) else {
            result.errors.append("Failed to read \(test.path)")
            return result
        }
        let contents = String(decoding: bytes, as: UTF8.self)
        for pattern in test.expectedContents where !pattern.matches(contents) {
            result.errors.append("Expected string '\(pattern.source)' not found in file content")
        }
        for pattern in test.excludedContents where pattern.matches(contents) {
            result.errors.append("Excluded string '\(pattern.source)' found in file content")
        }
        return result
    }

    /// lstat of `path` inside `root`: its directory resolved in the root, the last component not
    /// followed (a symlink is reported as one, as docker's archive of it would be).
    static func lstatInRoot(_ root: Int32, _ path: String) -> stat? {
        let trimmed = path.split(separator: "/").map(String.init)
        guard let last = trimmed.last else {
            var st = stat()
            return fstat(root, &st) == 0 ? st : nil
        }
        let parent = "/" + trimmed.dropLast().joined(separator: "/")
        let directory = RootedPath.open(parent, in: root, flags: OpenFlags.path | O_DIRECTORY)
        guard directory >= 0 else { return nil }
        defer { close(directory) }
        var st = stat()
        if last == ".." || last == "." {
            let resolved = RootedPath.open(path, in: root, flags: OpenFlags.path)
            guard resolved >= 0 else { return nil }
            defer { close(resolved) }
            return fstat(resolved, &st) == 0 ? st : nil
        }
        return fstatat(directory, last, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st : nil
    }

    /// A mode as Go's os.FileMode prints it, which specs are written against: the type and
    /// special bits as letters ("dalTLDpSugct"), then rwxrwxrwx; "-" when none is set.
    static func goFileMode(_ mode: mode_t) -> String {
        let type = mode & S_IFMT
        var letters = ""
        if type == S_IFDIR { letters += "d" }
        if type == S_IFLNK { letters += "L" }
        if type == S_IFBLK || type == S_IFCHR { letters += "D" }
        if type == S_IFIFO { letters += "p" }
        if type == S_IFSOCK { letters += "S" }
        if mode & S_ISUID != 0 { letters += "u" }
        if mode & S_ISGID != 0 { letters += "g" }
        if type == S_IFCHR { letters += "c" }
        if mode & S_ISVTX != 0 { letters += "t" }
        if letters.isEmpty { letters = "-" }
        let symbols: [Character] = ["r", "w", "x"]
        for bit in 0..<9 {
            letters.append(mode & (0o400 >> mode_t(bit)) != 0 ? symbols[bit % 3] : "-")
        }
        return letters
    }
}
