#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import CellCgroups

/// A container's monitor started ahead of its container (`ContainerLauncher.startAhead`): `run`
/// starts it before the store's work on the container, so that the monitor's own start (a
/// millisecond: loading, the runtime's start) happens meanwhile. It is shown the container's
/// spec once planned (`preview`), and makes the cgroup while the record is written; then
/// `ContainerLauncher.start` hands it the container in place of starting a monitor
/// (`MonitorHandOff`). Never handed over (the image is missing, the name taken), it reads the
/// socket's end, removes the cgroup it made and exits; it is reaped here.
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
    /// Our end of the socket pair the monitor reads its messages from; -1 once closed.
    private var socket: Int32
    private let request: Request
    /// Handed over, or dismissed (ended and reaped): done with either way.
    private var settled = false
    /// The preview's directory and spec: its cgroup is taken back here should the monitor die
    /// before it could, the container never handed over.
    private var previewed: (directory: String, spec: ContainerSpec)?

    init(pid: Int32, sync: PipePair, captured: PipePair?, socket: Int32, request: Request) {
        self.pid = pid
        self.sync = sync
        self.captured = captured
        self.socket = socket
        self.request = request
    }

    deinit {
        dismiss()
    }

    /// Shows the monitor the spec (`encoded`, as `ContainerSpec.encoded()` gives it) of the
    /// container about to be recorded at `containerDirectory`, so that it makes the cgroup
    /// meanwhile. Once at most; if the monitor is gone by then, `hand` fails and the start
    /// spawns another.
    public func preview(_ spec: ContainerSpec, encoded: [UInt8], containerDirectory: String) {
        guard !settled, previewed == nil, socket >= 0 else { return }
        previewed = (containerDirectory, spec)
        if !MonitorHandOff.preview(directory: containerDirectory, spec: encoded).send(to: socket) { closeSocket() }
    }

    /// Hands the monitor the container at `containerDirectory` when it was started for
    /// `request`: its pid and pipes, now the caller's. Otherwise nil, with the monitor ended
    /// and its cgroup taken back first: the monitor the caller starts instead makes it anew.
    /// `specRewritten`: the start changed the spec since the preview.
    func hand(_ containerDirectory: String, for request: Request, specRewritten: Bool) -> (Int32, PipePair, PipePair?)? {
        guard !settled else { return nil }
        // A socket, not a pipe: a monitor that died meanwhile is EPIPE here, not SIGPIPE. Far
        // below the socket's buffer: the send does not wait for the monitor to read.
        let message = MonitorHandOff.handed(directory: containerDirectory,
                                            specRewritten: specRewritten || previewed?.directory != containerDirectory)
        guard request == self.request, socket >= 0, message.send(to: socket) else {
            dismiss()
            return nil
        }
        closeSocket()
        settled = true
        return (pid, sync, captured)
    }

    /// Ends a monitor not handed over: the socket's end tells it to take back what it made
    /// and exit; it is reaped, and a cgroup it was killed before removing is removed here.
    private func dismiss() {
        guard !settled else { return }
        settled = true
        closeSocket()
        ContainerLauncher.reap(pid)
        if let cgroup = try? previewed?.spec.cgroup { try? cgroup.remove(timeout: 1) }
        PhaseTrace.mark("monitor started ahead not needed, ended")
    }

    private func closeSocket() {
        if socket >= 0 { close(socket) }
        socket = -1
    }
}
