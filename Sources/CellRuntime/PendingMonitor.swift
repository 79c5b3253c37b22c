#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// A container's monitor started ahead of its container (`ContainerLauncher.startAhead`): `run`
/// starts it before the store's work on the container, so that the monitor's own start (a
/// millisecond: loading, the runtime's start) happens meanwhile. It waits on a socket for the
/// container's directory, which `ContainerLauncher.start` hands it in place of starting one.
/// Never handed over (the image is missing, the name taken), it reads the socket's end and exits,
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
    /// Our end of the socket pair the monitor reads the directory from; -1 once closed.
    private var directory: Int32
    private let request: Request
    private var handed = false

    init(pid: Int32, sync: PipePair, captured: PipePair?, directory: Int32, request: Request) {
        self.pid = pid
        self.sync = sync
        self.captured = captured
        self.directory = directory
        self.request = request
    }

    deinit {
        closeDirectorySocket()
        guard !handed else { return }
        ContainerLauncher.reap(pid)
        PhaseTrace.mark("monitor started ahead not needed, ended")
    }

    /// Sends the monitor `containerDirectory` when it was started for `request`: its pid and
    /// pipes, now the caller's; nil (and the monitor left to end) otherwise.
    func hand(_ containerDirectory: String, for request: Request) -> (Int32, PipePair, PipePair?)? {
        guard !handed else { return nil }
        defer { closeDirectorySocket() }
        guard request == self.request else { return nil }
        let line = Array(containerDirectory.utf8) + [0]
        // A socket, not a pipe: a monitor that died meanwhile (or an older one that refused
        // --directory-fd) is EPIPE here, not SIGPIPE; the caller then starts one. Far below the
        // socket's buffer: the send does not wait for the monitor to read.
        let sent = line.withUnsafeBytes { send(directory, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == line.count else { return nil }
        handed = true
        return (pid, sync, captured)
    }

    private func closeDirectorySocket() {
        if directory >= 0 { close(directory) }
        directory = -1
    }
}
