#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A program of the host run to its end with its output captured: for the few answers and
/// changes cell leaves to the host's own tools, as Docker does (`top`'s `ps` with the user's
/// options, the firewall's rules through iptables-restore).
public enum HostCommand {
    /// The program's stdout (with its stderr when `mergingErrors`, else stderr is /dev/null)
    /// and exit status. `input` goes to its stdin (else /dev/null); it is written before any
    /// output is read, so it must fit in a pipe (64 KiB).
    public static func run(_ path: String, _ arguments: [String], input: [UInt8]? = nil,
                           mergingErrors: Bool = false) throws -> (output: [UInt8], status: Int32) {
        let pipe = try PipePair()
        let inputPipe = try input.map { _ in try PipePair() }
        if let input, input.count > 65536 { throw CellError.system("run \(path): input larger than a pipe") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let inputPipe {
            posix_spawn_file_actions_adddup2(&actions, inputPipe.readEnd, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, pipe.writeEnd, 1)
        if mergingErrors {
            posix_spawn_file_actions_adddup2(&actions, pipe.writeEnd, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        pipe.closeWriteEnd()
        inputPipe?.closeReadEnd()
        guard spawned == 0 else { throw CellError.system("run \(path): \(Syscall.errorString(spawned))") }
        if let inputPipe, let input {
            let writer = FileDescriptorHandle(fd: inputPipe.takeWriteEnd(), path: path)
            try? writer.writeAll(input)
            try? writer.close()
        }
        let output = (try? FileDescriptorHandle(fd: pipe.takeReadEnd(), path: path).readToEnd(limit: 64 << 20)) ?? []
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (output, (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
    }
}
