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
        var copier = ContainerLogCopier(path: ContainerLog.path(of: container), selection: selection,
                                        stdout: stdout, stderr: stderr)
        guard copier.copyAvailable() != nil, follow else { return }
        while true {
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
