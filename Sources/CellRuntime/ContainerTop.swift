#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// `docker top`: the processes in a running container's cgroup (its pid namespace without one),
/// in the columns `ps -ef`
/// prints (`UID PID PPID C STIME TTY TIME CMD`), read from the host's /proc, as docker does
/// (host pids, user names from the host's /etc/passwd).
public enum ContainerTop {
    public static let titles = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]

    public struct Row: Equatable, Sendable {
        public var user: String
        public var pid: Int32
        public var parentPid: Int32
        /// ps's C: CPU use over the process's life, percent, at most 99.
        public var cpu: Int
        public var startTime: String
        public var terminal: String
        public var cpuTime: String
        public var command: String

        /// The values in `titles` order.
        public var columns: [String] {
            [user, String(pid), String(parentPid), String(cpu), startTime, terminal, cpuTime, command]
        }
    }

    /// `docker top C [ps OPTIONS]`: the host's ps with those options, its rows cut to the
    /// container's processes by their PID column, as Docker's daemon runs it (with `-q PIDS`,
    /// and again without where the options do not take it).
    public static func processes(containerDirectory: String, psArguments: [String]) throws -> (titles: [String], rows: [[String]]) {
        let container = try RunningContainer(containerDirectory: containerDirectory)
        let pids = Set(try container.processes())
        var result = try HostCommand.run("/bin/ps", psArguments + ["-q", pids.sorted().map(String.init).joined(separator: ",")])
        if result.status != 0 { result = try HostCommand.run("/bin/ps", psArguments) }
        guard result.status == 0 else { throw CellError.system("ps: exit status \(result.status)") }
        let lines = String(decoding: result.output, as: UTF8.self).split(separator: "\n")
        guard let header = lines.first else { throw CellError.system("ps printed nothing") }
        let titles = header.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let pidColumn = titles.firstIndex(of: "PID") else { throw CellError.invalidInput("Couldn't find PID field in ps output") }
        let rows: [[String]] = lines.dropFirst().compactMap { line in
            var fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
            // The last column (a command line) keeps its spaces.
            if fields.count > titles.count {
                fields = Array(fields[..<(titles.count - 1)]) + [fields[(titles.count - 1)...].joined(separator: " ")]
            }
            guard fields.count > pidColumn, let pid = Int32(fields[pidColumn]), pids.contains(pid) else { return nil }
            return fields
        }
        return (titles, rows)
    }

    /// The rows, by pid. Throws `.conflict` when the container is not running.
    public static func processes(containerDirectory: String) throws -> [Row] {
        let container = try RunningContainer(containerDirectory: containerDirectory)
        let pids = try container.processes().sorted()
        let clock = ProcessClock()
        let users = HostUsers()
        return pids.compactMap { row(for: $0, clock: clock, users: users) }
    }

    static func row(for pid: Int32, clock: ProcessClock, users: HostUsers) -> Row? {
        guard let stat = try? FileSystem.readFileIfPresent("/proc/\(pid)/stat"),
              let open = stat.firstIndex(of: UInt8(ascii: "(")), let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let name = String(decoding: stat[(open + 1)..<close], as: UTF8.self)
        let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
        // fields[0] is field 3 of stat(5): ppid 4, tty_nr 7, utime 14, stime 15, starttime 22.
        guard fields.count > 19, let parent = Int32(fields[1]), let tty = Int64(fields[4]),
              let user = UInt64(fields[11]), let system = UInt64(fields[12]), let start = UInt64(fields[19]) else { return nil }
        let cpuTicks = user + system
        let uid = effectiveUid(pid) ?? 0
        var command = (try? FileSystem.readFileIfPresent("/proc/\(pid)/cmdline")).flatMap { $0 } ?? []
        while command.last == 0 { command.removeLast() }
        let commandText = command.isEmpty ? "[\(name)]" : String(decoding: command.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        return Row(user: users.name(of: uid), pid: pid, parentPid: parent,
                   cpu: clock.cpuPercent(ticks: cpuTicks, startedAt: start),
                   startTime: clock.startTime(startedAt: start), terminal: terminalName(tty),
                   cpuTime: ProcessClock.duration(seconds: cpuTicks / clock.ticksPerSecond), command: commandText)
    }

    static func effectiveUid(_ pid: Int32) -> UInt32? {
        guard let bytes = try? FileSystem.readFileIfPresent("/proc/\(pid)/status") else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("Uid:") {
            let values = line.dropFirst(4).split(whereSeparator: { $0 == "\t" || $0 == " " })
            return values.count > 1 ? UInt32(values[1]) : nil
        }
        return nil
    }

    /// ps's TTY: pts/N, ttyN, ttySN, or "?" for none.
    static func terminalName(_ device: Int64) -> String {
        if device == 0 { return "?" }
        let major = (device >> 8) & 0xfff
        let minor = (device & 0xff) | ((device >> 12) & 0xfff00)
        switch major {
        case 136...143: return "pts/\((major - 136) * 256 + minor)"
        case 4 where minor < 64: return "tty\(minor)"
        case 4: return "ttyS\(minor - 64)"
        default: return "?"
        }
    }
}

/// Times as procps computes them: from clock ticks since boot.
struct ProcessClock {
    let ticksPerSecond: UInt64
    let uptime: Double
    let bootTime: Int
    let now: Int

    init() {
        ticksPerSecond = UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        let uptimeText = (try? FileSystem.readFile("/proc/uptime")).map { String(decoding: $0, as: UTF8.self) } ?? "0"
        uptime = Double(uptimeText.split(separator: " ").first ?? "0") ?? 0
        var boot = 0
        if let stat = try? FileSystem.readFile("/proc/stat") {
            for line in String(decoding: stat, as: UTF8.self).split(separator: "\n") where line.hasPrefix("btime ") {
                boot = Int(line.dropFirst(6)) ?? 0
            }
        }
        bootTime = boot
        now = time(nil)
    }

    /// procps's pcpu: CPU time over elapsed time, whole percent, capped at 99.
    func cpuPercent(ticks: UInt64, startedAt start: UInt64) -> Int {
        let elapsed = Int(uptime - Double(start) / Double(ticksPerSecond))
        guard elapsed > 0 else { return 0 }
        return min(99, Int(ticks * 100 / ticksPerSecond) / elapsed)
    }

    /// "HH:MM" today, "MonDD" this year, else the year (local time, as ps).
    func startTime(startedAt start: UInt64) -> String {
        var started = time_t(bootTime + Int(start / ticksPerSecond))
        var current = time_t(now)
        var then = tm()
        var today = tm()
        localtime_r(&started, &then)
        localtime_r(&current, &today)
        let format = today.tm_year != then.tm_year ? "%Y" : today.tm_yday != then.tm_yday ? "%b%d" : "%H:%M"
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, format, &then)
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// ps's TIME: [DD-]HH:MM:SS.
    static func duration(seconds: UInt64) -> String {
        func two(_ value: UInt64) -> String { value < 10 ? "0\(value)" : String(value) }
        let days = seconds / 86400
        let clock = "\(two(seconds / 3600 % 24)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
        return days > 0 ? "\(days)-\(clock)" : clock
    }
}

/// uid → name from the host's /etc/passwd, cut as ps cuts it (8 columns: 7 + "+").
struct HostUsers {
    private var names: [UInt32: String] = [:]

    init(passwd: String? = nil) {
        let text = passwd ?? (try? FileSystem.readFile("/etc/passwd")).map { String(decoding: $0, as: UTF8.self) } ?? ""
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count > 2, let uid = UInt32(fields[2]), names[uid] == nil { names[uid] = String(fields[0]) }
        }
    }

    func name(of uid: UInt32) -> String {
        guard let name = names[uid] else { return String(uid) }
        return name.count > 8 ? String(name.prefix(7)) + "+" : name
    }
}
