#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore

/// A client connection taken over after its request (attach, exec start): raw bytes both ways
/// between the event loop, where `HijackHandler` hands over what the client sends, and the
/// request's thread, where a session relays them with poll(). The thread learns of new input and
/// of the client's departure through two socket pairs it polls beside the container's descriptors.
///
/// Input is held here up to `highWater` bytes; past that the channel stops reading until the
/// session has taken them (a container that reads slowly slows the client, not our memory).
/// Output is written from the session's thread and waits until it is on its way: a client that
/// reads slowly slows the container.
final class HijackedConnection: @unchecked Sendable {
    static let highWater = 1 << 20

    let channel: any Channel
    /// Readable while input (or its end) waits to be taken.
    var inputSignal: Int32 { inputPipe.read }
    /// Readable once the client has gone.
    var departureSignal: Int32 { departurePipe.read }
    private let inputPipe: (read: Int32, write: Int32)
    private let departurePipe: (read: Int32, write: Int32)

    private struct Inbound {
        var bytes: [UInt8] = []
        var inputEnded = false
        var gone = false
        var readingPaused = false
        var finished = false
    }

    private let inbound = NIOLockedValueBox(Inbound())

    init(channel: any Channel) throws {
        self.channel = channel
        inputPipe = try Self.makePipe()
        do {
            departurePipe = try Self.makePipe()
        } catch {
            close(inputPipe.read)
            close(inputPipe.write)
            throw error
        }
    }

    deinit {
        for fd in [inputPipe.read, inputPipe.write, departurePipe.read, departurePipe.write] { close(fd) }
    }

    /// Both ends non-blocking: a signal never blocks the event loop (a full pipe is signalled
    /// enough), a drain never blocks the session.
    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        // A socket pair, which can be made close-on-exec at once (Glibc's module has no
        // pipe2): other requests' threads start monitors and execs meanwhile.
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else {
            throw APIError(.internalServerError, "socketpair: \(String(cString: strerror(errno)))")
        }
        return (fds[0], fds[1])
    }

    // MARK: the event loop's side

    /// Bytes from the client; false when the channel should stop reading for now.
    func received(_ buffer: ByteBuffer) -> Bool {
        let keepReading = inbound.withLockedValue { state -> Bool in
            state.bytes += buffer.readableBytesView
            if state.bytes.count >= Self.highWater { state.readingPaused = true }
            return !state.readingPaused
        }
        Self.signal(inputPipe.write)
        return keepReading
    }

    /// The client shut down its writing side (its stdin ended); it still reads.
    func inputClosed() {
        inbound.withLockedValue { $0.inputEnded = true }
        Self.signal(inputPipe.write)
    }

    /// The connection is gone.
    func closed() {
        inbound.withLockedValue { $0.gone = true }
        Self.signal(inputPipe.write)
        Self.signal(departurePipe.write)
    }

    var isFinished: Bool { inbound.withLockedValue { $0.finished } }
    var hasInputEnded: Bool { inbound.withLockedValue { $0.inputEnded } }

    // MARK: the session's side

    enum Input {
        case bytes([UInt8])
        case again
        case ended
        case gone
    }

    /// What the client sent since the last call (all of it).
    func take() -> Input {
        var drain = [UInt8](repeating: 0, count: 64)
        while read(inputPipe.read, &drain, drain.count) > 0 {}
        let (input, resume) = inbound.withLockedValue { state -> (Input, Bool) in
            if !state.bytes.isEmpty {
                let bytes = state.bytes
                state.bytes = []
                let resume = state.readingPaused
                state.readingPaused = false
                return (.bytes(bytes), resume)
            }
            if state.gone { return (.gone, false) }
            if state.inputEnded { return (.ended, false) }
            return (.again, false)
        }
        if resume { channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in } }
        // Bytes were taken and the end came after them: the end must still wake the session.
        if case .bytes = input, inbound.withLockedValue({ $0.inputEnded || $0.gone }) { Self.signal(inputPipe.write) }
        return input
    }

    var isGone: Bool { inbound.withLockedValue { $0.gone } }

    /// Writes to the client; false when it is gone.
    func write(_ bytes: some Collection<UInt8>) -> Bool {
        guard !bytes.isEmpty else { return channel.isActive }
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        do {
            try channel.writeAndFlush(buffer).wait()
            return true
        } catch {
            return false
        }
    }

    /// The session is over: the client reads the end of the stream (our side shut down, as
    /// Docker's daemon does), and the connection closes once the client closes its side too, or
    /// after a few seconds.
    func finish() {
        inbound.withLockedValue { $0.finished = true }
        let channel = self.channel
        let inputEnded = hasInputEnded
        channel.eventLoop.execute {
            guard channel.isActive else { return }
            if inputEnded {
                channel.close(promise: nil)
                return
            }
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
        }
    }

    private static func signal(_ fd: Int32) {
        var one: UInt8 = 1
        _ = Glibc.write(fd, &one, 1)
    }
}
