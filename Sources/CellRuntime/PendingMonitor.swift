#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// A container's monitor started ahead of its container (`ContainerLauncher.startAhead`): `run`
/// starts it before the store's work on the container, so that the monitor's own start (a
/// millisecond: loading, the runtime's start) happens meanwhile. It waits on a pipe for the
/// container's directory, which `ContainerLauncher.start` hands it in place of starting one.
/// Never handed over (the image is missing, the name taken), it reads the pipe's end and exits,
/// having touched nothing; it is reaped here.
public final class PendingMonitor: @unchecked Sendable {
    /// What the monitor was started for: `start` hands it over only for the same.
    struct Request: Equatable {
        var attach: Bool
        var attachment: Attachment
        var interactive: Bool
        var captureOutput: Bool
    }

    let pid: Int32
    private let sync: PipePair
    private let captured: PipePair?
    private let directory: PipePair
    private let request: Request
    private var handed = false

    init(pid: Int32, sync: PipePair, captured: PipePair?, directory: PipePair, request: Request) {
        self.pid = pid
        self.sync = sync
        self.captured = captured
        self.directory = directory
        self.request = request
    }

    deinit {
        guard !handed else { return }
        directory.closeWriteEnd()
        ContainerLauncher.reap(pid)
        PhaseTrace.mark("monitor started ahead not needed, ended")
    }

    /// Sends the monitor `containerDirectory` when it was started for `request`: its pid and
    /// pipes, now the caller's; nil (and the monitor left to end) otherwise.
    func hand(_ containerDirectory: String, for request: Request) -> (Int32, PipePair, PipePair?)? {
        guard !handed, request == self.request else { return nil }
        let line = Array(containerDirectory.utf8) + [0]
        // Far below a pipe's capacity: the write does not wait for the monitor to read it.
        let written = line.withUnsafeBytes { write(directory.writeEnd, $0.baseAddress, $0.count) }
        directory.closeWriteEnd()
        guard written == line.count else { return nil }
        handed = true
        return (pid, sync, captured)
    }
}
