import Foundation
import Testing

/// A Fluentd Forward protocol (v1) receiver for the fluentd log driver's tests: Python with
/// Debian's python3-msgpack, on a loopback TCP port and a unix socket of the test's own. Every
/// frame is decoded strictly as the specification defines Message mode (the mode Docker's driver
/// sends): an array of 3 or 4; a str tag; an int time or an EventTime (ext type 0, 8 bytes);
/// a map record with str keys; an optional map option with no `chunk` (nothing asked an ack).
/// Each event is appended to a file as a JSON line; anything else (another mode, a wrong type,
/// invalid UTF-8, a frame cut short at a connection's end) as an `error` line, which the tests
/// require there are none of.
///
/// Stopping it (SIGTERM) is graceful, as fluentd's own shutdown: it stops listening, shuts its
/// side of each connection and reads until the sender closes, so nothing the sender wrote
/// before it saw the shutdown is lost.
final class FluentdReceiver {
    let port: Int
    let socketPath: String
    let output: String
    private var process: ChildProcess?

    struct Event {
        var tag: String
        var seconds: Int
        /// nil when the time was a plain int.
        var nanoseconds: Int?
        var record: [String: String]
        var option: [String: String]?
        var connection: Int
        var log: String { record["log"] ?? "" }
    }

    init(root: CellRoot) throws {
        port = try LocalRegistry.freePort()
        socketPath = root.file("fluentd.sock")
        output = root.file("fluentd.jsonl")
        try start()
    }

    deinit { stop() }

    func start() throws {
        let child = try ChildProcess("/usr/bin/python3", ["-c", FluentdReceiver.script, String(port), socketPath, output],
                                     captureOutput: false)
        process = child
        guard waitUntil(timeout: 20, { LocalRegistry.accepts(port: port) && FileManager.default.fileExists(atPath: socketPath) }) else {
            throw HarnessError.failed("the fluentd receiver did not start: \(child.exitStatusIfExited().map { "exit \($0)" } ?? "running")")
        }
    }

    func stop() {
        guard let process else { return }
        kill(process.pid, SIGTERM)
        process.waitForExit()
        self.process = nil
    }

    private var lines: [[String: Any]] {
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    var events: [Event] {
        lines.compactMap { line in
            guard let tag = line["tag"] as? String, let seconds = line["seconds"] as? Int,
                  let record = line["record"] as? [String: String], let connection = line["connection"] as? Int else { return nil }
            return Event(tag: tag, seconds: seconds, nanoseconds: line["nanoseconds"] as? Int, record: record,
                         option: line["option"] as? [String: String], connection: connection)
        }
    }

    /// What the receiver refused, as it said it.
    var errors: [String] { lines.compactMap { $0["error"] as? String } }

    /// The `log` of every event from the container `name` (Docker's container_name, with its slash).
    func logs(of name: String) -> [String] {
        events.filter { $0.record["container_name"] == "/" + name }.map(\.log)
    }

    static let script = #"""
import errno, json, os, selectors, signal, socket, sys, time
import msgpack

port, socket_path, output = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = os.open(output, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

def emit(entry):
    os.write(out, (json.dumps(entry, ensure_ascii=False) + "\n").encode())

class Refused(Exception):
    pass

def text(value, what):
    if not isinstance(value, str):
        raise Refused("%s is %s, not str" % (what, type(value).__name__))
    return value

def string_map(value, what):
    if not isinstance(value, dict):
        raise Refused("%s is %s, not map" % (what, type(value).__name__))
    return {text(k, what + " key"): text(v, what + "[%s]" % k) for k, v in value.items()}

def event(frame, connection):
    if frame is None:
        return None  # a heartbeat, which the spec allows
    if not isinstance(frame, (list, tuple)):
        raise Refused("a frame that is not an array: %r" % (frame,))
    if len(frame) < 2:
        raise Refused("an array of %d" % len(frame))
    tag, when = text(frame[0], "tag"), frame[1]
    # The mode is told by the second element: an int or EventTime is Message mode. (ExtType
    # is a namedtuple: it is told apart from an array first.)
    if not isinstance(when, msgpack.ExtType) and isinstance(when, (list, tuple, bytes, str)):
        raise Refused("Forward or PackedForward mode, where Docker sends Message mode")
    if len(frame) not in (3, 4):
        raise Refused("a Message of %d elements" % len(frame))
    if isinstance(when, msgpack.ExtType):
        if when.code != 0 or len(when.data) != 8:
            raise Refused("ext type %d of %d bytes as the time" % (when.code, len(when.data)))
        seconds, nanoseconds = int.from_bytes(when.data[:4], "big"), int.from_bytes(when.data[4:], "big")
        if nanoseconds >= 10**9:
            raise Refused("EventTime nanoseconds %d" % nanoseconds)
    elif isinstance(when, int) and not isinstance(when, bool) and when >= 0:
        seconds, nanoseconds = when, None
    else:
        raise Refused("time is %r" % (when,))
    record = string_map(frame[2], "record")
    option = string_map(frame[3], "option") if len(frame) == 4 else None
    if option and "chunk" in option:
        raise Refused("an ack was asked (chunk), which nothing here configured")
    return {"tag": tag, "seconds": seconds, "nanoseconds": nanoseconds, "record": record, "option": option,
            "connection": connection}

selector = selectors.DefaultSelector()
connections = {}
count = 0

def listen(family, address):
    server = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_INET:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(address)
    server.listen(64)
    server.setblocking(False)
    selector.register(server, selectors.EVENT_READ, "listener")
    return server

if os.path.exists(socket_path):
    os.unlink(socket_path)
listeners = [listen(socket.AF_INET, ("127.0.0.1", port)), listen(socket.AF_UNIX, socket_path)]

def receive(conn):
    """Reads what is there; False at the connection's end."""
    unpacker, number = connections[conn]
    try:
        data = conn.recv(65536)
    except BlockingIOError:
        return True
    except ConnectionResetError:
        data = b""
    if not data:
        if unpacker.tell() != unpacker_fed[conn]:
            emit({"error": "the connection ended inside a frame", "connection": number})
        return False
    unpacker.feed(data)
    unpacker_fed[conn] += len(data)
    try:
        for frame in unpacker:
            decoded = event(frame, number)
            if decoded is not None:
                emit(decoded)
    except (Refused, ValueError, UnicodeDecodeError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError) as error:
        emit({"error": str(error), "connection": number})
        return False
    return True

unpacker_fed = {}

def drop(conn):
    selector.unregister(conn)
    del connections[conn]
    del unpacker_fed[conn]
    conn.close()

stopping = False
def stop(*_):
    global stopping
    stopping = True
signal.signal(signal.SIGTERM, stop)

while not stopping:
    for key, _ in selector.select(timeout=0.2):
        if key.data == "listener":
            try:
                conn, _ = key.fileobj.accept()
            except BlockingIOError:
                continue
            conn.setblocking(False)
            count += 1
            connections[conn] = (msgpack.Unpacker(raw=False, strict_map_key=True, max_buffer_size=64 << 20), count)
            unpacker_fed[conn] = 0
            selector.register(conn, selectors.EVENT_READ, "connection")
        elif not receive(key.fileobj):
            drop(key.fileobj)

# Graceful: no new connections; each sender is told (FIN) and read until it closes.
for server in listeners:
    selector.unregister(server)
    server.close()
os.unlink(socket_path)
for conn in list(connections):
    try:
        conn.shutdown(socket.SHUT_WR)
    except OSError:
        pass
deadline = time.monotonic() + 5
while connections and time.monotonic() < deadline:
    for key, _ in selector.select(timeout=0.1):
        if not receive(key.fileobj):
            drop(key.fileobj)
"""#
}
