#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import CellFormat

/// One event, as Docker's events API shapes it: what happened (`Action`) to what (`Type`, the
/// actor's id and attributes), and when.
public struct Event: Equatable, Sendable {
    public var type: String
    public var action: String
    public var actorID: String
    public var attributes: [String: String]
    public var time: Timestamp

    public init(type: String, action: String, actorID: String, attributes: [String: String] = [:], time: Timestamp = .now()) {
        self.type = type
        self.action = action
        self.actorID = actorID
        self.attributes = attributes
        self.time = time
    }

    /// Docker's JSON (`events --format '{{json .}}'` and the API's /events): the old `status`,
    /// `id` and `from` fields beside Type, Action and Actor.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = []
        if type == "container" || type == "image" {
            fields.append(("status", .string(action)))
            fields.append(("id", .string(actorID)))
            if type == "container", let image = attributes["image"] { fields.append(("from", .string(image))) }
        }
        fields += [
            ("Type", .string(type)), ("Action", .string(action)),
            ("Actor", .object([("ID", .string(actorID)),
                               ("Attributes", .sortedObject(attributes))])),
            ("scope", .string("local")), ("time", .integer(time.seconds)),
            ("timeNano", .integer(time.seconds * 1_000_000_000 + Int64(time.nanoseconds))),
        ]
        return .object(fields)
    }

    init?(json: JSONValue) {
        guard let type = json["Type"]?.stringValue, let action = json["Action"]?.stringValue,
              let actor = json["Actor"], let id = actor["ID"]?.stringValue, let nanos = json["timeNano"]?.integerValue else { return nil }
        var attributes: [String: String] = [:]
        for (key, value) in actor["Attributes"]?.objectValue ?? [] { attributes[key] = value.stringValue ?? "" }
        self.init(type: type, action: action, actorID: id, attributes: attributes,
                  time: Timestamp(seconds: nanos / 1_000_000_000, nanoseconds: Int32(nanos % 1_000_000_000)))
    }

    /// Docker's text line: `2024-01-05T12:00:00.123456789Z container create ID (image=busybox, name=web)`.
    public var text: String {
        let shown = attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return "\(time.rfc3339NanoFixed) \(type) \(action) \(actorID)" + (shown.isEmpty ? "" : " (\(shown))")
    }
}

/// The store's event journal, `<root>/events/journal`: each process that does something
/// appends its event as one JSON line, with one write(2) on an O_APPEND descriptor (whole lines
/// from concurrent writers, never interleaved; a line cut by a kill is skipped by readers).
/// Bounded: past 4 MiB the journal becomes `journal.1` (the one before is dropped), under a lock.
/// Recording never fails the operation it records.
public enum EventJournal {
    public static let limit: Int64 = 4 << 20

    public static func directory(root: String) -> String { "\(root)/events" }
    static func path(root: String) -> String { "\(directory(root: root))/journal" }
    static func previousPath(root: String) -> String { "\(directory(root: root))/journal.1" }

    public static func record(_ event: Event, root: String) {
        let directory = directory(root: root)
        if !FileSystem.exists(directory) { try? FileSystem.createDirectory(directory, mode: 0o700) }
        var line = Array((event.json.serialized(indent: nil, escapingHTML: false) + "\n").utf8)
        let fd = open(path(root: root), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        // A line a crash cut short (a full disk, a power loss) is ended first: it stays one
        // unreadable line, skipped, and takes no later event down with it.
        var st = stat()
        if fstat(fd, &st) == 0 && st.st_size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, off_t(st.st_size - 1)) == 1 && last != UInt8(ascii: "\n") { line.insert(UInt8(ascii: "\n"), at: 0) }
        }
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let size = fstat(fd, &st) == 0 ? Int64(st.st_size) : 0
        close(fd)
        if size > limit { rotate(root: root) }
    }

    /// The root of the store a container directory (`<root>/containers/<id>`) is in.
    public static func root(ofContainerDirectory directory: String) -> String {
        FileSystem.dirname(of: FileSystem.dirname(of: directory))
    }

    private static func rotate(root: String) {
        guard let lock = try? FileLock(path: "\(directory(root: root))/rotate.lock"), (try? lock.tryLock()) == true else { return }
        defer { lock.unlock() }
        var st = stat()
        guard stat(path(root: root), &st) == 0, Int64(st.st_size) > limit else { return }
        rename(path(root: root), previousPath(root: root))
    }

    /// Every event kept, oldest first, and where the current journal ended (for `follow`).
    public static func read(root: String) -> (events: [Event], offset: Int64) {
        var events: [Event] = []
        for path in [previousPath(root: root)] {
            events += parse((try? FileSystem.readFileIfPresent(path)).flatMap { $0 } ?? [])
        }
        let current = (try? FileSystem.readFileIfPresent(path(root: root))).flatMap { $0 } ?? []
        events += parse(current)
        return (events, Int64(current.count))
    }

    static func parse(_ bytes: [UInt8]) -> [Event] {
        bytes.split(separator: UInt8(ascii: "\n")).compactMap { line in
            (try? JSONValue(parsing: line)).flatMap(Event.init(json:))
        }
    }

    /// Calls `body` with each event appended after `offset`, as it comes (inotify on the
    /// events directory: no polling), until `body` returns false, `until` passes or `stillWanted`
    /// says no (asked each second: the API's client may go while nothing happens). A rotation
    /// starts the new journal from its beginning.
    public static func follow(root: String, from offset: Int64, until: Timestamp? = nil,
                              while stillWanted: (() -> Bool)? = nil, _ body: (Event) -> Bool) throws {
        let directory = directory(root: root)
        try FileSystem.createDirectory(directory, mode: 0o700)
        let watch = inotify_init1(Int32(IN_CLOEXEC))
        guard watch >= 0 else { throw CellError.system("inotify_init1: \(Syscall.errorString(errno))") }
        defer { close(watch) }
        guard inotify_add_watch(watch, directory, UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM)) >= 0 else {
            throw CellError.system("inotify_add_watch \(directory): \(Syscall.errorString(errno))")
        }
        var position = offset
        var pending: [UInt8] = []
        var identity = fileIdentity(path(root: root))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            // A rotation: the new file is read from its start.
            let now = fileIdentity(path(root: root))
            if now != identity { identity = now; position = 0; pending = [] }
            let fd = open(path(root: root), O_RDONLY | O_CLOEXEC)
            if fd >= 0 {
                var chunk = [UInt8](repeating: 0, count: 64 * 1024)
                while true {
                    let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(position)) }
                    if n <= 0 { break }
                    position += Int64(n)
                    pending += chunk[0..<n]
                }
                close(fd)
            }
            if let last = pending.lastIndex(of: UInt8(ascii: "\n")) {
                let complete = Array(pending[...last])
                pending.removeFirst(last + 1)
                for event in parse(complete) {
                    if let until, event.time > until { return }
                    if !body(event) { return }
                }
            }
            var timeout: Int32 = -1
            if let until {
                let left = Double(until.seconds - Timestamp.now().seconds) * 1000 + 1000
                if left <= 0 { return }
                timeout = Int32(min(left, 60_000))
            }
            if stillWanted != nil { timeout = timeout < 0 ? 1000 : min(timeout, 1000) }
            var ready = pollfd(fd: watch, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, timeout) > 0 {
                _ = buffer.withUnsafeMutableBytes { Glibc.read(watch, $0.baseAddress, $0.count) }
            }
            if let stillWanted, !stillWanted() { return }
        }
    }

    private static func fileIdentity(_ path: String) -> UInt64 {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_ino) : 0
    }
}
