#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCore
import CellCore
import Testing

/// `chattr +T` on the folders whose subdirectories come and go by the hundred: set on ext4,
/// a quiet no-op elsewhere (tmpfs has no such flag).
@Suite struct DirectorySpreadingTests {
    static func isExt4(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if fd >= 0 { close(fd) } }
        return fd >= 0 && cell_fd_filesystem_magic(fd) == 0xEF53
    }

    @Test func theFlagIsSetOnceWhereTheFileSystemHasIt() throws {
        for parent in ["/tmp", "/dev/shm"] where FileSystem.isDirectory(parent) {
            let directory = try FileSystem.makeTemporaryDirectory(in: parent, prefix: "cell-spreading-test")
            defer { try? FileSystem.removeTree(directory) }
            #expect(!DirectorySpreading.spreadsSubdirectories(directory))
            DirectorySpreading.spreadSubdirectories(of: directory)
            #expect(DirectorySpreading.spreadsSubdirectories(directory) == Self.isExt4(directory), "\(parent)")
            // Again: nothing changes, nothing fails.
            DirectorySpreading.spreadSubdirectories(of: directory)
            #expect(DirectorySpreading.spreadsSubdirectories(directory) == Self.isExt4(directory))
        }
    }

    /// A symlink in the folder's place is not followed to flag what it names.
    @Test func aSymlinkIsNotFollowed() throws {
        let directory = try FileSystem.makeTemporaryDirectory(in: "/tmp", prefix: "cell-spreading-test")
        defer { try? FileSystem.removeTree(directory) }
        try FileSystem.createDirectory("\(directory)/target")
        #expect(symlink("target", "\(directory)/link") == 0)
        DirectorySpreading.spreadSubdirectories(of: "\(directory)/link")
        #expect(!DirectorySpreading.spreadsSubdirectories("\(directory)/target"))
    }
}
