import CellPresentation
import NIOCore
import NIOHTTP1

/// Sends one request's answer from the request's thread: whole answers are handed to the event
/// loop at once, streamed ones written piece by piece (`ResponseStream`). When the answer has
/// ended, the connection's handler takes the next request (or closes the connection).
struct Responder: Sendable {
    let channel: any Channel
    let version: HTTPVersion
    let keepAlive: Bool
    let isHead: Bool
    /// Called on the event loop once the response has ended.
    let ended: @Sendable () -> Void
    /// Takes the connection out of HTTP (on the event loop).
    let hijack: @Sendable (any Channel) throws -> HijackedConnection

    /// Docker's version middleware sets these on every answer.
    static let commonHeaders: [(String, String)] = [
        ("Api-Version", CellVersion.apiVersion), ("Ostype", "linux"),
        ("Server", "cell/\(CellVersion.current) (linux)"),
    ]

    func send(_ response: APIResponse) {
        switch response {
        case .json(let status, let value):
            sendWhole(status, body: APIResponse.jsonBody(value), headers: [("Content-Type", "application/json")])
        case .serializedJSON(let status, let body):
            sendWhole(status, body: body, headers: [("Content-Type", "application/json")])
        case .empty(let status):
            sendWhole(status, body: [], headers: [])
        case .text(let status, let text, let headers):
            sendWhole(status, body: Array(text.utf8), headers: [("Content-Type", "text/plain; charset=utf-8")] + headers)
        case .stream(let status, let contentType, let headers, let write):
            sendStream(status, contentType: contentType, headers: headers, write: write)
        case .messages(let write):
            sendMessages(write)
        case .hijack(let upgrade, let contentType, let session):
            sendHijacked(upgrade: upgrade, contentType: contentType, session: session)
        }
    }

    private func head(_ status: HTTPResponseStatus, _ headers: [(String, String)]) -> HTTPResponseHead {
        var fields = HTTPHeaders(Responder.commonHeaders)
        for (name, value) in headers { fields.replaceOrAdd(name: name, value: value) }
        if !keepAlive { fields.replaceOrAdd(name: "Connection", value: "close") }
        return HTTPResponseHead(version: version, status: status, headers: fields)
    }

    private func sendWhole(_ status: HTTPResponseStatus, body: [UInt8], headers: [(String, String)]) {
        var fields = headers
        // A HEAD answer names the length its GET would have, and has no body.
        if !fields.contains(where: { $0.0.lowercased() == "content-length" }) {
            fields.append(("Content-Length", String(body.count)))
        }
        let head = head(status, fields)
        let bodyless = isHead || status == .noContent || status == .notModified
        let channel = self.channel, ended = self.ended, keepAlive = self.keepAlive
        channel.eventLoop.execute {
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            if !bodyless && !body.isEmpty {
                var buffer = channel.allocator.buffer(capacity: body.count)
                buffer.writeBytes(body)
                channel.write(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
            }
            // Idle before the end goes out: NIO's pipelining handler hands over a request the
            // client sent meanwhile as the end is written, and it must not find us answering.
            ended()
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }

    /// Moby's hijacked answer, written raw once the HTTP handlers are gone: the status line, the
    /// stream's type, the upgrade's headers and ours, no length (the stream ends with the connection).
    private func sendHijacked(upgrade: Bool, contentType: String, session: @Sendable (HijackedConnection) -> Void) {
        var lines = upgrade
            ? ["HTTP/1.1 101 UPGRADED", "Content-Type: \(contentType)", "Connection: Upgrade", "Upgrade: tcp"]
            : ["HTTP/1.1 200 OK", "Content-Type: application/vnd.docker.raw-stream"]
        lines += Responder.commonHeaders.map { "\($0.0): \($0.1)" }
        let head = Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        let channel = self.channel, hijack = self.hijack, ended = self.ended
        let taken = channel.eventLoop.submit { () throws -> HijackedConnection in
            let connection = try hijack(channel)
            // The request is over for the idle count; the connection stays counted until it closes.
            ended()
            return connection
        }
        guard let connection = try? taken.wait() else {
            channel.eventLoop.execute { ended() }
            channel.close(promise: nil)
            return
        }
        guard connection.write(head) else {
            connection.finish()
            return
        }
        session(connection)
        connection.finish()
    }

    /// The head goes first (chunked: the length is not known), then whatever `write` writes. An
    /// error after the head can no longer change the status: the stream just ends, as Docker's does.
    private func sendStream(_ status: HTTPResponseStatus, contentType: String, headers: [(String, String)],
                            write: @Sendable (ResponseStream) throws -> Void) {
        let head = head(status, [("Content-Type", contentType)] + headers)
        var failed = false
        do {
            try channel.writeAndWait(.head(head))
            if !isHead { try write(ResponseStream(channel: channel)) }
        } catch {
            failed = true
        }
        let channel = self.channel, ended = self.ended, closing = failed || !keepAlive
        channel.eventLoop.execute {
            ended()
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                if closing { channel.close(promise: nil) }
            }
        }
    }

    /// A `JSONMessageStream`: an error before its first message is answered whole, with its status.
    private func sendMessages(_ write: @Sendable (JSONMessageStream) throws -> Void) {
        let stream = JSONMessageStream(channel: channel, head: head(.ok, [("Content-Type", "application/json")]))
        do {
            try write(stream)
            try stream.start()
        } catch {
            let failure = APIError(describing: error)
            guard stream.started else {
                sendWhole(failure.status, body: APIResponse.jsonBody(.object([("message", .string(failure.message))])),
                          headers: [("Content-Type", "application/json")])
                return
            }
            stream.fail(failure.message)
        }
        let channel = self.channel, ended = self.ended, closing = stream.clientGone || !keepAlive
        channel.eventLoop.execute {
            ended()
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                if closing { channel.close(promise: nil) }
            }
        }
    }
}
