#if canImport(Glibc)
import Glibc
#endif
import CellFormat
import NIOCore
import NIOHTTP1

/// The body of a pull, push, load or build: one JSON object a line (Docker's `jsonmessage`s),
/// written from the request's thread and from the worker threads a pull or push reports from.
///
/// As moby's flushing writer, the head goes out with the first message: an operation that fails
/// before it has anything to say (an unknown repository, a context that cannot be read) is an
/// ordinary error answer with its status code; once the stream has begun, the status is 200 and
/// a failure is the last message, `{"errorDetail":{"message":...},"error":...}`.
final class JSONMessageStream: @unchecked Sendable {
    private let channel: any Channel
    private let head: HTTPResponseHead
    private var mutex = pthread_mutex_t()
    private(set) var started = false
    /// The client has gone: later messages are dropped (the operation runs to its end, as it
    /// would have without the client, so nothing is left half done).
    private(set) var clientGone = false

    init(channel: any Channel, head: HTTPResponseHead) {
        self.channel = channel
        self.head = head
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    func send(_ message: JSONValue) {
        let line = Array((message.serialized(indent: nil, escapingHTML: false) + "\n").utf8)
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard !clientGone else { return }
        do {
            try startLocked()
            var buffer = channel.allocator.buffer(capacity: line.count)
            buffer.writeBytes(line)
            try channel.writeAndWait(.body(.byteBuffer(buffer)))
        } catch {
            clientGone = true
        }
    }

    /// `{"stream": text}`: a build's and a load's words.
    func say(_ text: String) {
        send(.object([("stream", .string(text))]))
    }

    /// A failure once the stream has begun, as the docker CLI and docker-py read it; a `code`
    /// (a build's failed command's) is what the docker CLI exits with.
    func fail(_ message: String, code: Int? = nil) {
        var detail: [(String, JSONValue)] = [("message", .string(message))]
        if let code { detail.insert(("code", .integer(Int64(code))), at: 0) }
        send(.object([("errorDetail", .object(detail)), ("error", .string(message))]))
    }

    /// The head alone, for an operation that ends without a message.
    func start() throws {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        try startLocked()
    }

    private func startLocked() throws {
        guard !started else { return }
        started = true
        try channel.writeAndWait(.head(head))
    }

    var isOpen: Bool { !clientGone && channel.isActive }

    /// Runs `body` when the connection closes: the client went (or, after the answer, the
    /// connection ended; `body` must then do no harm).
    func whenClosed(_ body: @escaping @Sendable () -> Void) {
        channel.closeFuture.whenComplete { _ in body() }
    }
}
