#if canImport(Glibc)
import Glibc
#endif
import CellCore

extension ContainerStore {
    /// docker logs: what `selection` picks of the container's log, to `stdout` and `stderr`.
    /// With `follow`, new lines as they come until the container stops (its last lines
    /// included) or is removed (dgoss's `rm -vf` under its `logs -f`: the stream ends, as with docker).
    public func copyLogs(of container: Container, selection: LogSelection, follow: Bool,
                         stdout: Int32 = 1, stderr: Int32 = 2) throws {
        try copyLogs(of: container, selection: selection, follow: follow) { path, selection in
            ContainerLogCopier(path: path, selection: selection, stdout: stdout, stderr: stderr)
        }
    }

    /// The same, each run of decoded lines to `sink` (the API server frames them); a follow also
    /// ends when `keepFollowing` says no (asked between reads: the server's client went away).
    public func copyLogs(of container: Container, selection: LogSelection, follow: Bool,
                         while keepFollowing: @escaping () -> Bool = { true }, sink: @escaping ContainerLogCopier.Sink) throws {
        try copyLogs(of: container, selection: selection, follow: follow, while: keepFollowing) { path, selection in
            ContainerLogCopier(path: path, selection: selection, sink: sink)
        }
    }

    /// Each file of the log through a copier `makeCopier` makes for it.
    private func copyLogs(of container: Container, selection: LogSelection, follow: Bool, while keepFollowing: () -> Bool = { true },
                          makeCopier: (String, LogSelection) -> ContainerLogCopier) throws {
        try ContainerLog.checkReadable(container)
        let path = ContainerLog.path(of: container)
        // Rotated files first, oldest first; a tail is taken from the newest backwards.
        // Compressed files are read decompressed; each is decompressed once, when first needed.
        var opened: [String: (path: String, handle: FileDescriptorHandle?)] = [:]
        func readable(_ file: String) -> String {
            if let known = opened[file] { return known.path }
            let plain = ContainerLog.readable(file)
            opened[file] = plain
            return plain.path
        }
        let rotated = ContainerLog.rotatedFiles(of: path)
        var remaining = selection.tail
        var tails: [Int?] = []
        // Past every line there could be; the arithmetic below stays far from overflow.
        if let wanted = selection.tail.map({ min($0, Int(Int32.max)) }) {
            var left = max(0, wanted - ContainerLog.lineCount(path, atMost: wanted))
            for file in rotated.reversed() {
                let count = ContainerLog.lineCount(readable(file), atMost: left + 1)
                tails.insert(left >= count ? nil : left, at: 0)
                left = max(0, left - count)
            }
            remaining = wanted
        } else {
            tails = rotated.map { _ in nil }
        }
        for (file, tail) in zip(rotated, tails) where tail != 0 {
            var old = selection
            old.tail = tail
            var copier = makeCopier(readable(file), old)
            if copier.copyAvailable() == nil { return }
        }
        var current = selection
        current.tail = remaining
        var copier = makeCopier(path, current)
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
