#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellContainers
import CellCore
import CellFormat

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Fetch the logs of a container.")

    @Flag(name: [.customShort("f"), .long], help: "Follow log output.")
    var follow = false

    @Flag(name: [.customShort("t"), .long], help: "Show timestamps.")
    var timestamps = false

    @Option(name: [.customShort("n"), .long], help: "Number of lines to show from the end of the logs (default \"all\").")
    var tail: String = "all"

    @Option(help: "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes).")
    var since: String?

    @Option(help: "Show logs before a timestamp or relative time.")
    var until: String?

    @Flag(help: "Show extra details provided to logs.")
    var details = false

    @Argument(help: "CONTAINER")
    var container: String

    func run() throws {
        let store = try GlobalOptions.containerStore()
        let container = try store.resolve(container)
        let now = Timestamp.now()
        let sinceTime = try since.map { try TimeArgument.parse($0, now: now) }
        let untilTime = try until.map { try TimeArgument.parse($0, now: now) }
        var tailCount: Int?
        if tail != "all" {
            guard let count = Int(tail) else { throw CellError.usage("invalid value for --tail: \(tail)") }
            tailCount = count < 0 ? nil : count
        }
        let output = LogOutput(timestamps: timestamps)
        var reader = try LogFileReader(path: ContainerLog.path(of: container))
        var entries = try reader.readAvailable()
        if let tailCount, entries.count > tailCount { entries.removeFirst(entries.count - tailCount) }
        for entry in entries where LogsCommand.within(entry, since: sinceTime, until: untilTime) { output.write(entry) }
        output.flush()
        guard follow else { return }
        while true {
            let current = try store.load(id: container.id)
            let fresh = try reader.readAvailable()
            for entry in fresh where LogsCommand.within(entry, since: sinceTime, until: untilTime) { output.write(entry) }
            output.flush()
            if !current.isRunning && fresh.isEmpty {
                // One last read: the monitor writes the final lines before the exit state.
                for entry in try reader.readAvailable() { output.write(entry) }
                output.flush()
                return
            }
            if fresh.isEmpty { usleep(50_000) }
        }
    }

    static func within(_ entry: ContainerLogEntry, since: Timestamp?, until: Timestamp?) -> Bool {
        if let since, entry.time < since { return false }
        if let until, entry.time > until { return false }
        return true
    }
}

/// Reads complete lines appended to the log since the last read.
struct LogFileReader {
    let path: String
    private var offset: Int64 = 0
    private var pending: [UInt8] = []

    init(path: String) throws {
        self.path = path
    }

    mutating func readAvailable() throws -> [ContainerLogEntry] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return [] }
        defer { close(fd) }
        lseek(fd, off_t(offset), SEEK_SET)
        var entries: [ContainerLogEntry] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            offset += Int64(count)
            pending += chunk[0..<count]
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0a) {
                if let entry = ContainerLog.parse(line: pending[start..<newline]) { entries.append(entry) }
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        return entries
    }
}

/// Writes log entries to stdout or stderr by stream, in large writes.
final class LogOutput {
    let timestamps: Bool
    private var out: [UInt8] = []
    private var err: [UInt8] = []

    init(timestamps: Bool) {
        self.timestamps = timestamps
    }

    func write(_ entry: ContainerLogEntry) {
        var bytes: [UInt8] = []
        if timestamps { bytes += Array((entry.time.rfc3339Nano + " ").utf8) }
        bytes += entry.text
        // Keep the order between streams: switching stream flushes the other.
        if entry.stream == .stdout {
            if !err.isEmpty { flush() }
            out += bytes
            if out.count > 1 << 20 { flush() }
        } else {
            if !out.isEmpty { flush() }
            err += bytes
            if err.count > 1 << 20 { flush() }
        }
    }

    func flush() {
        Output.flush()
        for (fd, buffer) in [(Int32(1), out), (Int32(2), err)] where !buffer.isEmpty {
            Syscall.writeAll(fd, buffer[...])
        }
        out.removeAll(keepingCapacity: true)
        err.removeAll(keepingCapacity: true)
    }
}

/// `--since`/`--until`: RFC 3339, Unix seconds, or a duration before now (`10m`, `1h30m`, `45s`).
enum TimeArgument {
    static func parse(_ text: String, now: Timestamp) throws -> Timestamp {
        if let time = Timestamp(rfc3339: text) { return time }
        if let seconds = Double(text) {
            return Timestamp(seconds: Int64(seconds), nanoseconds: Int32((seconds - seconds.rounded(.down)) * 1e9))
        }
        var total = 0.0
        var number = ""
        for character in text {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            guard let value = Double(number) else { throw CellError.usage("invalid time: \(text)") }
            switch character {
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            default: throw CellError.usage("invalid time: \(text)")
            }
            number = ""
        }
        guard number.isEmpty, total > 0 || text == "0s" else { throw CellError.usage("invalid time: \(text)") }
        return Timestamp(seconds: now.seconds - Int64(total), nanoseconds: now.nanoseconds)
    }
}
