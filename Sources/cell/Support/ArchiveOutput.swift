#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellCore

/// Where `save` and `export` write their tar: `-o FILE`, written beside it and renamed (a
/// failure never leaves a truncated archive), or stdout, which docker refuses when it is a
/// terminal.
enum ArchiveOutput {
    /// Calls `body` with the descriptor to write and its name for messages.
    static func write(to file: String?, _ body: (Int32, String) throws -> Void) throws {
        guard let file else {
            if isatty(1) != 0 {
                Output.error("cowardly refusing to save to a terminal. Use the -o flag or redirect")
                throw ExitCode(1)
            }
            return try body(1, "standard output")
        }
        let temporary = FileSystem.temporaryName(besides: file)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CellError.system("open \(file): \(Syscall.errorString(errno))") }
        defer { close(fd) }
        do {
            try body(fd, file)
            try FileSystem.rename(temporary, to: file)
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
