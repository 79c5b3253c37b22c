import NIOCore
import NIOHTTP1

/// The body of a streamed response, written from the request's thread. Each write waits until the
/// bytes are on their way to the socket, so a slow reader slows the writer instead of filling
/// memory.
struct ResponseStream: Sendable {
    let channel: any Channel

    func write(_ bytes: some Collection<UInt8>) throws {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        try channel.writeAndWait(.body(.byteBuffer(buffer)))
    }

    /// Whether the client is still there: a wait or a followed log ends when it goes.
    var isOpen: Bool { channel.isActive }
}
