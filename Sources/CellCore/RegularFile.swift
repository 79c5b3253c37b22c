#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCore

/// Opens a file for reading or writing only if it is a regular file, where its name lives in a
/// tree that another process may change meanwhile (a running container's root or upper layer).
///
/// A check by name (`fstatat`) followed by an open by name is two lookups: between them a
/// container can swap in a device node it made with mknod, and an open on the host reaches the
/// host's device, outside the container's device cgroup (the class of CVE-2018-15664). Here the
/// name is looked up once, as an O_PATH descriptor (which opens nothing: no device driver sees
/// it), the type is checked on that descriptor, and that same inode is then opened for I/O
/// through /proc/self/fd, which names exactly it.
///
/// A running container's root (/proc/PID/root) also holds its /proc and /sys, whose "regular
/// files" never end (/proc/1/pagemap is 256 GB of zeros) or block forever (/proc/kmsg, which
/// only the host's root may read): files of such kernel file systems are refused too.
public enum RegularFile {
    /// `name` in `directory`, never following a final symlink, opened with `flags` (O_RDONLY,
    /// O_WRONLY | O_TRUNC...). Throws `CellError.notFound` when it is missing, and refuses
    /// anything but a regular file by name.
    public static func open(at directory: Int32, _ name: String, flags: Int32, describing path: String) throws -> Int32 {
        let pathFD = openat(directory, name, OpenFlags.path | O_NOFOLLOW | O_CLOEXEC)
        if pathFD < 0 {
            let code = errno
            if code == ENOENT { throw CellError.notFound("open \(path): \(Syscall.lowercaseErrorString(code))") }
            throw CellError.system("open \(path): \(Syscall.lowercaseErrorString(code))")
        }
        defer { close(pathFD) }
        return try reopen(pathFD, flags: flags, describing: path)
    }

    /// The inode behind `pathFD` (an O_PATH descriptor, however it was resolved) opened for
    /// I/O with `flags`, if it is a regular file.
    public static func reopen(_ pathFD: Int32, flags: Int32, describing path: String) throws -> Int32 {
        var st = stat()
        guard fstat(pathFD, &st) == 0 else { throw CellError.system("stat \(path): \(Syscall.lowercaseErrorString(errno))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw CellError.invalidInput("\(path) is not a regular file (\(typeName(st.st_mode)))")
        }
        let magic = cell_fd_filesystem_magic(pathFD)
        if let name = kernelFileSystem(magic) {
            throw CellError.invalidInput("\(path) is a file of the kernel's \(name), not of the container's file system")
        }
        let fd = try Syscall.retrying("open \(path)") {
            openProcPath("/proc/self/fd/\(pathFD)", (flags & ~O_CREAT) | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        }
        return fd
    }

    /// The pseudo file systems whose files are views into the kernel, by statfs magic (a
    /// switch: a dictionary's first use costs a scan of the binary's protocol conformances).
    static func kernelFileSystem(_ magic: Int) -> String? {
        switch magic {
        case 0x9fa0: "proc"
        case 0x6265_6572: "sysfs"
        case 0x6462_6720: "debugfs"
        case 0x7472_6163: "tracefs"
        case 0x7363_6673: "securityfs"
        case 0x0027_e0eb: "cgroup"
        case 0x6367_7270: "cgroup2"
        case 0xcafe_4a11: "bpf"
        case 0x6265_6570: "configfs"
        case 0x6165_676c: "pstore"
        case 0xde5e_81e4: "efivarfs"
        default: nil
        }
    }

    static func typeName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFLNK: return "a symbolic link"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a fifo"
        case S_IFSOCK: return "a socket"
        default: return "an unknown file type"
        }
    }
}

/// The C library's open(2), which the enum's own `open` hides inside it.
private func openProcPath(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
