import NIOCore

/// The only handler of a hijacked connection (the HTTP codecs are gone): hands what the client
/// sends to the session's `HijackedConnection`, and tells it when the client's input ends (a
/// half-close, which the channel lets through from the hijack on) or the connection goes.
final class HijackHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let connection: HijackedConnection
    private let activity: ServiceActivity

    init(connection: HijackedConnection, activity: ServiceActivity) {
        self.connection = connection
        self.activity = activity
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !connection.received(unwrapInboundIn(data)) {
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            connection.inputClosed()
            // The session already ended its side: both halves are done.
            if connection.isFinished { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.closed()
        // The connection was counted open by the HTTP handler this one replaced.
        activity.connectionClosed()
        context.fireChannelInactive()
    }

    /// A reset by the client, or bytes after it closed: the session ends as when it goes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

