import NIOCore
import NIOHTTP1

/// One client connection, after NIO's HTTP/1.1 decoder: collects a request (head and a bounded
/// body), runs it on a thread of its own through the router, and takes the next request once the
/// answer has ended (NIO's pipelining handler holds any request sent meanwhile, and hands it over
/// as the answer's end is written: the state is idle by then).
///
/// Bodies are refused past `maximumBody` with 413 and the connection closed, without reading the
/// rest: the JSON bodies of these endpoints are small. A route that takes big bodies (an archive
/// PUT's tar) has its body written to a file as it comes (`SpooledBody`), up to
/// `maximumSpooledBody` (load, build and import too), with a deadline that bounds a stall rather
/// than the whole upload.
final class HTTPConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let maximumBody = 4 << 20
    static let maximumSpooledBody = 8 << 30

    private enum State {
        case idle
        case receiving(HTTPRequestHead)
        /// Answered before its end (too large): the rest is dropped until the connection closes.
        case refused
        case answering
    }

    private var state = State.idle
    private var body: [UInt8] = []
    private var spooled: SpooledBody?
    private let router: Router
    private let activity: ServiceActivity
    private let deadline: RequestDeadline
    /// The connection's HTTP handlers, this one among them, for a hijack.
    private let stage: HTTPStage

    init(router: Router, activity: ServiceActivity, deadline: RequestDeadline, stage: HTTPStage) {
        self.router = router
        self.activity = activity
        self.deadline = deadline
        self.stage = stage
    }

    func channelActive(context: ChannelHandlerContext) {
        activity.connectionOpened()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        activity.connectionClosed()
        context.fireChannelInactive()
    }

    /// Bytes that are not HTTP: NIO's error handler has answered 400 where it could (after the
    /// answer in progress, if any); the connection cannot go on, so it closes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard case .idle = state else { return }
            let spools = router.spoolsBody(head)
            let limit = spools ? Self.maximumSpooledBody : Self.maximumBody
            if let declared = head.headers.first(name: "content-length").flatMap(Int.init), declared > limit {
                refuse(context, head, limit: limit)
                return
            }
            body.removeAll(keepingCapacity: false)
            spooled = nil
            if spools {
                do {
                    spooled = try SpooledBody(in: router.spoolDirectory)
                } catch {
                    refuse(context, head, with: APIError(describing: error))
                    return
                }
            }
            deadline.restartsOnEachRead = spools
            state = .receiving(head)
        case .body(var buffer):
            guard case .receiving(let head) = state else { return }
            if let spooled {
                guard spooled.count + buffer.readableBytes <= Self.maximumSpooledBody else {
                    refuse(context, head, limit: Self.maximumSpooledBody)
                    return
                }
                do {
                    try spooled.append(buffer)
                } catch {
                    refuse(context, head, with: APIError(describing: error))
                }
                return
            }
            guard body.count + buffer.readableBytes <= Self.maximumBody else {
                refuse(context, head, limit: Self.maximumBody)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard case .receiving(let head) = state else { return }
            state = .answering
            deadline.requestReceived()
            dispatch(context, head)
        }
    }

    /// The request goes to a thread of its own; the answer comes back through a `Responder`.
    private func dispatch(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        let request = body, spooledBody = spooled
        body = []
        spooled = nil
        let responder = responder(for: head, context: context)
        let router = self.router
        activity.requestStarted()
        let started = RequestThread.start {
            responder.send(router.respond(to: head, body: request, spooled: spooledBody))
        }
        if !started {
            responder.send(.error(APIError(.serviceUnavailable, "too many requests in progress (\(RequestThread.limit)): try again")))
        }
    }

    private func responder(for head: HTTPRequestHead, context: ChannelHandlerContext) -> Responder {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let stage = NIOLoopBound(self.stage, eventLoop: context.eventLoop)
        return Responder(channel: context.channel, version: head.version, keepAlive: head.isKeepAlive,
                         isHead: head.method == .HEAD, ended: {
            handler.value.answerEnded()
        }, hijack: { channel in
            try stage.value.hijack(channel)
        })
    }

    private func answerEnded() {
        state = .idle
        deadline.responseEnded()
        activity.requestFinished()
    }

    /// 413 at once, and the connection closes after it: reading a body we will not use only to
    /// keep the connection would let a client make us read for ever.
    private func refuse(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, limit: Int) {
        refuse(context, head, with: APIError(.payloadTooLarge, "request body too large: this endpoint takes at most \(limit) bytes"))
    }

    /// An answer before the body's end (too large, or a spool that could not be written).
    private func refuse(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, with error: APIError) {
        state = .refused
        body = []
        spooled = nil
        deadline.requestReceived()
        activity.requestStarted()
        var closing = head
        closing.headers.replaceOrAdd(name: "connection", value: "close")
        responder(for: closing, context: context).send(.error(error))
    }
}
