#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CRuntime
import CellCore

/// CELL_TRACE: where a container's process notes the end of each phase between its clone and
/// its exec (it cannot print them: its stderr is the container's). Memory shared across the
/// clone; nil when not tracing.
final class SpawnPhaseTimes {
    let times: UnsafeMutablePointer<Int64>
    private let size = MemoryLayout<Int64>.stride * Int(CELL_PHASE_COUNT.rawValue)

    init?() {
        guard PhaseTrace.isEnabled else { return nil }
        guard let memory = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              memory != MAP_FAILED else { return nil }
        times = memory.bindMemory(to: Int64.self, capacity: Int(CELL_PHASE_COUNT.rawValue))
        times.initialize(repeating: 0, count: Int(CELL_PHASE_COUNT.rawValue))
    }

    deinit { munmap(times, size) }

    /// The child's phases, on the trace's timeline.
    func mark() {
        let names: [(cell_spawn_phase, String)] = [
            (CELL_PHASE_STARTED, "child: in its namespaces and cgroups"),
            (CELL_PHASE_LET_MOUNT, "child: let mount its root (the container recorded)"),
            (CELL_PHASE_ROOT_MOUNTED, "child: overlay root mounted"),
            (CELL_PHASE_MOUNTED, "child: /proc, /dev, /sys, volumes and masks mounted"),
            (CELL_PHASE_PIVOTED, "child: pivot_root, hostname, loopback, working directory"),
            (CELL_PHASE_CGROUP_VIEW, "child: cgroup namespace and /sys/fs/cgroup"),
            (CELL_PHASE_RELEASED, "child: released by the monitor"),
            (CELL_PHASE_CONFINED, "child: limits, capabilities, seccomp, ids; exec"),
        ]
        // A phase the child had no reason to pass (no wait before its root) has no time.
        for (phase, name) in names where times[Int(phase.rawValue)] != 0 { PhaseTrace.mark(name, at: times[Int(phase.rawValue)]) }
    }
}
