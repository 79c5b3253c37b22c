import CellFormat
import NIOCore

/// How long a client may take to send one whole request, from its first byte to the end of its
/// body; then it gets a 400 and the connection is closed. A `Content-Length` larger than the body
/// sent would otherwise hold the connection (and its memory) for ever. It sits before the HTTP
/// decoder and sees bytes; the request handler tells it when a request is complete and when its
/// answer has ended. An idle connection between requests is left alone, as Docker's daemon does.
final class RequestDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limit: TimeAmount
    private var timer: Scheduled<Void>?
    /// Between a complete request and the end of its answer nothing the client sends starts a
    /// clock (a pipelined request waits for its turn).
    private var answering = false
    /// Set while a body is spooled to a file (a build context, an image to load, a tar to copy
    /// in): such a body may take longer than the limit to arrive, so the clock restarts with each
    /// read, and the limit bounds a stall instead of the whole upload.
    var restartsOnEachRead = false

    init(seconds: Int) {
        limit = .seconds(Int64(seconds))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if restartsOnEachRead, let running = timer {
            running.cancel()
            timer = nil
        }
        if timer == nil && !answering {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleTask(in: limit) { RequestDeadline.expire(bound.value) }
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    /// The request handler has the whole request.
    func requestReceived() {
        restartsOnEachRead = false
        timer?.cancel()
        timer = nil
        answering = true
    }

    /// Its answer has ended: the next request's first byte starts a new clock.
    func responseEnded() {
        answering = false
    }

    /// A 400 written below the HTTP encoder (the request handler may never have seen a head), then close.
    private static func expire(_ context: ChannelHandlerContext) {
        let body = JSONValue.object([("message", .string("the request was not received in time: its body is shorter than its Content-Length, or the client stalled"))])
            .serialized(indent: nil, escapingHTML: false) + "\n"
        let text = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in context.close(promise: nil) }
    }
}
