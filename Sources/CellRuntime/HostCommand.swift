#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// A program of the host run to its end with its output captured: for the few answers cell takes
/// from the host's own tools, as Docker does (`top`'s `ps` with the user's options).
enum HostCommand {
    /// The program's stdout and exit status (stdin and stderr are /dev/null).
    static func run(_ path: String, _ arguments: [String]) throws -> (output: [UInt8], status: Int32) {
        let pipe = try PipePair()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipe.writeEnd, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        pipe.closeWriteEnd()
        guard spawned == 0 else { throw CellError.system("run \(path): \(Syscall.errorString(spawned))") }
        let output = (try? FileDescriptorHandle(fd: pipe.takeReadEnd(), path: path).readToEnd(limit: 64 << 20)) ?? []
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (output, (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
    }
}
