import NIOCore
import NIOHTTP1

extension Channel {
    /// How long a streamed answer waits for a client that has stopped reading.
    static var stalledWriteSeconds: Int64 { 60 }

    /// Writes `part` and waits until it is on its way, as a streamed answer does; a client that
    /// reads nothing for a minute has its connection closed (the write then fails), so that the
    /// operation feeding it (a pull, a build, a save, holding the store's locks) is not held
    /// for ever by a reader that went to sleep.
    func writeAndWait(_ part: HTTPServerResponsePart) throws {
        let written = writeAndFlush(part)
        let channel = self
        let limit = eventLoop.scheduleTask(in: .seconds(Self.stalledWriteSeconds)) { channel.close(promise: nil) }
        defer { limit.cancel() }
        try written.wait()
    }
}
