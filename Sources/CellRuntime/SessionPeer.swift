#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// The far side of an attached session (an exec's process, an attach to a container): where the
/// output goes and the input comes from. The CLI's peer is its own stdio (`DescriptorPeer`); the
/// API service's is a client's hijacked connection. The relays (`ExecRelay`, `ContainerAttach`)
/// poll its descriptors beside the process's and never know which face they serve.
public protocol SessionPeer: AnyObject {
    /// Polled for POLLIN while the session takes input: readable when `receive` has something
    /// to say. -1 when the peer sends nothing.
    var inputDescriptor: Int32 { get }
    /// Polled for POLLIN for the whole session: readable once the peer has gone away (and from
    /// then on). -1 for a peer that cannot go (our own stdio).
    var departureDescriptor: Int32 { get }
    /// Whether the peer has gone away: nobody reads the output any more.
    var isGone: Bool { get }
    /// What the peer sent since the last call.
    func receive() -> SessionInput
    /// The process's output; false when the peer is gone.
    func send(_ bytes: ArraySlice<UInt8>, from stream: SessionOutput) -> Bool
}

public enum SessionInput: Equatable, Sendable {
    case bytes([UInt8])
    /// Nothing yet.
    case again
    /// The peer's input ended (a pipe's end, a socket's half-close); it still reads output.
    case ended
    /// The peer went away: nobody reads the output any more.
    case gone
}

public enum SessionOutput: Sendable {
    case stdout, stderr
}

/// The calling process's own stdio as a session's peer (`cell exec`, `cell attach`): input read
/// from `streams.input`, output written to `streams.output` and `streams.error`. The relays also
/// treat it as the local terminal: its size is given to a `-t` process, raw mode and signals
/// forwarding apply to it.
public final class DescriptorPeer: SessionPeer {
    public let streams: ProcessSpawner.StandardStreams
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    public init(_ streams: ProcessSpawner.StandardStreams = .standard) {
        self.streams = streams
    }

    public var inputDescriptor: Int32 { streams.input }
    public var departureDescriptor: Int32 { -1 }
    public var isGone: Bool { false }

    /// The terminal whose size a `-t` process follows: our stdin if it is one, else our stdout.
    var windowSource: Int32 { streams.input >= 0 && isatty(streams.input) == 1 ? streams.input : streams.output }

    public func receive() -> SessionInput {
        let n = buffer.withUnsafeMutableBytes { read(streams.input, $0.baseAddress, $0.count) }
        if n > 0 { return .bytes(Array(buffer[0..<n])) }
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return .again }
        return .ended
    }

    public func send(_ bytes: ArraySlice<UInt8>, from stream: SessionOutput) -> Bool {
        // Our own stdout closed is no reason to stop the process (docker exec goes on too).
        _ = Syscall.writeAll(stream == .stdout ? streams.output : streams.error, bytes)
        return true
    }
}
