import NIOCore
import NIOHTTP1

/// The handlers of a connection while it speaks HTTP, kept so that a hijack (attach, exec start)
/// can take them out: NIO's HTTP/1.1 codec and helpers, as `configureHTTPServerPipeline` adds
/// them, except that the request decoder hands over what it holds past an upgrade request (the
/// client's first stdin bytes) instead of dropping it; then our deadline and request handler.
final class HTTPStage {
    private let deadline: RequestDeadline
    private let encoder = HTTPResponseEncoder()
    private let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes))
    private let pipelining = HTTPServerPipelineHandler()
    private let headerValidation = NIOHTTPResponseHeadersValidator()
    private let errors = HTTPServerProtocolErrorHandler()
    /// Weak: the request handler owns its stage.
    private weak var requests: HTTPConnectionHandler?
    private let activity: ServiceActivity

    init(deadline: RequestDeadline, activity: ServiceActivity) {
        self.deadline = deadline
        self.activity = activity
    }

    func install(in channel: any Channel, router: Router) throws {
        let requests = HTTPConnectionHandler(router: router, activity: activity, deadline: deadline, stage: self)
        self.requests = requests
        try channel.pipeline.syncOperations.addHandlers([deadline, encoder, decoder, pipelining, headerValidation, errors, requests])
    }

    /// Takes the HTTP handlers out (on the event loop) and puts a `HijackHandler` in their place,
    /// so that the connection carries raw bytes from now on. The handlers behind the decoder go
    /// first: the bytes it still holds, forwarded as it leaves, reach only the new handler.
    func hijack(_ channel: any Channel) throws -> HijackedConnection {
        channel.eventLoop.assertInEventLoop()
        let operations = channel.pipeline.syncOperations
        let connection = try HijackedConnection(channel: channel)
        for handler in [pipelining, headerValidation, errors] as [any RemovableChannelHandler] {
            operations.removeHandler(handler, promise: nil)
        }
        if let requests { operations.removeHandler(requests, promise: nil) }
        requests = nil
        try operations.addHandler(HijackHandler(connection: connection, activity: activity), position: .after(decoder))
        // The client's half-close is its stdin's end, not the connection's.
        try channel.syncOptions?.setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
        for handler in [decoder, encoder, deadline] as [any RemovableChannelHandler] {
            operations.removeHandler(handler, promise: nil)
        }
        return connection
    }
}
