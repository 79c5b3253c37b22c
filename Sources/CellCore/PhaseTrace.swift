#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `CELL_TRACE=1`: each phase of a command, and of the monitor it starts, on stderr as it ends:
///
///     cell trace     4.12 ms   +4.12  cell: process start (exec to main)
///     cell trace     5.30 ms   +1.18  cell: arguments parsed
///
/// The first column is the time since the first traced process was exec'd, on one clock for
/// every process of the command (the monitor inherits the origin through the environment), so
/// the lines of cell and cell-monitor read as one timeline. The second is the time since this
/// process's previous mark. Off (the default) a mark costs one load and a branch.
public enum PhaseTrace {
    /// The environment variables: the switch, and the origin (CLOCK_MONOTONIC, nanoseconds)
    /// that the processes of one command share.
    public static let switchVariable = "CELL_TRACE"
    public static let originVariable = "CELL_TRACE_ORIGIN"

    public static let isEnabled: Bool = {
        guard let value = getenv(switchVariable) else { return false }
        let text = String(cString: value)
        return !text.isEmpty && text != "0" && text != "false"
    }()

    /// This process's name in the lines: the executable's, as exec'd.
    nonisolated(unsafe) private static var process = ""
    nonisolated(unsafe) private static var origin: Int64 = 0
    nonisolated(unsafe) private static var previous: Int64 = 0

    /// Call first thing in main: marks how long the process took from exec to here (the CPU
    /// time it used so far: loading and linking the libraries, the runtime's start) and fixes
    /// the origin when this process is the first.
    public static func start(process name: String) {
        guard isEnabled else { return }
        process = name
        let now = monotonicNanoseconds()
        let startCost = processCPUNanoseconds()
        if let text = getenv(originVariable), let shared = Int64(String(cString: text)) {
            origin = shared
            previous = now - startCost
        } else {
            origin = now - startCost
            previous = origin
            setenv(originVariable, String(origin), 1)
        }
        mark("process start (exec to main)")
    }

    /// The phase that ends now.
    public static func mark(_ phase: @autoclosure () -> String) {
        guard isEnabled else { return }
        mark(phase(), at: monotonicNanoseconds())
    }

    /// A phase that ended at `time` (CLOCK_MONOTONIC nanoseconds), noted by a process that
    /// could not print it (a container's process between clone and exec); 0 marks nothing.
    public static func mark(_ phase: @autoclosure () -> String, at now: Int64) {
        guard isEnabled, now > 0 else { return }
        let line = "cell trace " + milliseconds(now - origin, width: 8) + " ms " + milliseconds(now - previous, width: 7, sign: true)
            + "  " + process + ": " + phase() + "\n"
        previous = now
        _ = Array(line.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// The variables a child process needs to trace on the same timeline ("NAME=value"), or
    /// none when tracing is off.
    public static var environment: [String] {
        guard isEnabled else { return [] }
        return ["\(switchVariable)=1", "\(originVariable)=\(origin)"]
    }

    static func milliseconds(_ nanoseconds: Int64, width: Int, sign: Bool = false) -> String {
        let hundredths = (nanoseconds + 5_000) / 10_000
        let fraction = String(hundredths % 100)
        var text = String(hundredths / 100) + "." + (fraction.count == 1 ? "0" + fraction : fraction)
        if sign { text = "+" + text }
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }

    public static func monotonicNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// The CPU time this process has used so far (the kernel counts it exactly, exec included).
    private static func processCPUNanoseconds() -> Int64 {
        var time = timespec()
        guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time) == 0 else { return 0 }
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
