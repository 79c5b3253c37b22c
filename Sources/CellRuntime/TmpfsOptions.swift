import CellCore

/// `--tmpfs PATH:OPTIONS` as Docker reads it: mount flags (`ro`, `exec`, `nosuid`...) and
/// tmpfs's own data (`size=64m`, `mode=1777`...) in one list. Docker starts from
/// `noexec,nosuid,nodev` and lets the user's options override them (`exec` undoes `noexec`);
/// the kernel takes only the data part, so the flags are split off here.
public struct TmpfsOptions: Equatable, Sendable {
    /// MS_* flags for mount(2).
    public var flags: UInt
    /// The data string for tmpfs ("size=65536k,mode=1777"), empty for none.
    public var data: String

    // The kernel's MS_* values (the C headers' macros do not all reach Swift).
    static let readOnly: UInt = 1, noSetuid: UInt = 2, noDevices: UInt = 4, noExec: UInt = 8
    static let synchronous: UInt = 16, directorySynchronous: UInt = 128
    static let noAccessTime: UInt = 1024, noDirectoryAccessTime: UInt = 2048
    static let relativeAccessTime: UInt = 1 << 21, strictAccessTime: UInt = 1 << 24

    /// Flags a word sets (first) or clears (second).
    private static let flagWords: [String: (set: UInt, clear: UInt)] = [
        "ro": (readOnly, 0), "rw": (0, readOnly),
        "exec": (0, noExec), "noexec": (noExec, 0),
        "suid": (0, noSetuid), "nosuid": (noSetuid, 0),
        "dev": (0, noDevices), "nodev": (noDevices, 0),
        "sync": (synchronous, 0), "async": (0, synchronous), "dirsync": (directorySynchronous, 0),
        "atime": (0, noAccessTime), "noatime": (noAccessTime, 0),
        "diratime": (0, noDirectoryAccessTime), "nodiratime": (noDirectoryAccessTime, 0),
        "relatime": (relativeAccessTime, 0), "norelatime": (0, relativeAccessTime),
        "strictatime": (strictAccessTime, 0), "nostrictatime": (0, strictAccessTime),
    ]
    /// Propagation words Docker accepts for a tmpfs; a container's mounts are private anyway.
    private static let propagationWords: Set<String> = ["private", "rprivate", "slave", "rslave", "shared", "rshared"]
    /// tmpfs's own options (mount data), each `key=value`.
    private static let dataKeys: Set<String> = ["size", "nr_blocks", "nr_inodes", "mode", "uid", "gid", "huge", "mpol"]
    /// tmpfs options that stand alone.
    private static let dataWords: Set<String> = ["inode32", "inode64", "noswap"]

    public static let dockerDefaults = "noexec,nosuid,nodev"

    /// Parses Docker's option list over its defaults; throws a usage error naming the first
    /// option that is neither a mount flag nor a tmpfs option.
    public init(_ options: String) throws {
        flags = 0
        var data: [(key: String, text: String)] = []
        let words = (TmpfsOptions.dockerDefaults + "," + options).split(separator: ",").map(String.init)
        for word in words {
            if let change = TmpfsOptions.flagWords[word] {
                flags = (flags | change.set) & ~change.clear
                continue
            }
            if TmpfsOptions.propagationWords.contains(word) { continue }
            let key = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
            let valued = word.contains("=")
            guard valued ? TmpfsOptions.dataKeys.contains(key) && word.count > key.count + 1
                         : TmpfsOptions.dataWords.contains(word) else {
                throw CellError.usage("invalid tmpfs option \"\(word)\"")
            }
            // A later value of the same key wins, as with the flags.
            data.removeAll { $0.key == key }
            data.append((key, word))
        }
        self.data = data.map(\.text).joined(separator: ",")
    }
}
