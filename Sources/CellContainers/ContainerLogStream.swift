#if canImport(Glibc)
import Glibc
#endif
import CellCore

extension ContainerStore {
    /// docker logs: what `selection` picks of the container's log, to `stdout` and `stderr`.
    /// With `follow`, new lines as they come until the container stops (its last lines
    /// included) or is removed (dgoss's `rm -vf` under its `logs -f`: the stream ends, as with docker).
    public func copyLogs(of container: Container, selection: LogSelection, follow: Bool,
                         stdout: Int32 = 1, stderr: Int32 = 2) {
        copyLogs(of: container, selection: selection, follow: follow,
                 to: ContainerLogCopier(path: ContainerLog.path(of: container), selection: selection, stdout: stdout, stderr: stderr))
    }

    /// The same, each run of decoded lines to `sink` (the API server frames them); a follow also
    /// ends when `keepFollowing` says no (asked between reads: the server's client went away).
    public func copyLogs(of container: Container, selection: LogSelection, follow: Bool,
                         while keepFollowing: @escaping () -> Bool = { true }, sink: @escaping ContainerLogCopier.Sink) {
        copyLogs(of: container, selection: selection, follow: follow, while: keepFollowing,
                 to: ContainerLogCopier(path: ContainerLog.path(of: container), selection: selection, sink: sink))
    }

    private func copyLogs(of container: Container, selection: LogSelection, follow: Bool,
                          while keepFollowing: () -> Bool = { true }, to copier: ContainerLogCopier) {
        var copier = copier
        guard copier.copyAvailable() != nil, follow else { return }
        while keepFollowing() {
            let running = (try? load(id: container.id))?.isRunning ?? false
            guard let lines = copier.copyAvailable() else { return }
            if !running {
                // One last read: the monitor writes the final lines before the exit state.
                copier.copyAvailable()
                return
            }
            if lines == 0 { usleep(50_000) }
        }
    }
}
