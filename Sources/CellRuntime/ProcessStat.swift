import CellCore

/// Facts from /proc/<pid>/stat.
public enum ProcessStat {
    /// The process's start time in clock ticks since boot (field 22), or nil when it is gone.
    /// Together with the pid it names one process: a reused pid has a later start time.
    public static func startTime(of pid: Int32) -> UInt64? {
        guard let bytes = try? FileSystem.readFileIfPresent("/proc/\(pid)/stat") else { return nil }
        // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19 else { return nil }
        return UInt64(String(decoding: fields[19], as: UTF8.self))
    }

    /// Whether the process has exited and only waits to be reaped (state `Z`): a monitor whose
    /// parent is gone and whose init does not reap (some sandboxes) stays a zombie, and is dead.
    public static func isZombie(_ pid: Int32) -> Bool {
        guard let bytes = try? FileSystem.readFileIfPresent("/proc/\(pid)/stat"),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")), close + 2 < bytes.count else { return false }
        return bytes[close + 2] == UInt8(ascii: "Z")
    }
}
