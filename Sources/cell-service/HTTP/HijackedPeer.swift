import CellContainers

/// A hijacked connection as the peer of an attach or exec session: the output in Docker's stream
/// format (for a process without a terminal, each chunk one frame of the multiplexed stream:
/// stream 1 or 2, three zeros, the length big-endian; with a terminal, the raw bytes), only the
/// streams the client asked for; the client's bytes as the process's input.
final class HijackedPeer: SessionPeer {
    private let connection: HijackedConnection
    private let multiplexed: Bool
    private let stdout: Bool
    private let stderr: Bool

    init(_ connection: HijackedConnection, multiplexed: Bool, stdout: Bool, stderr: Bool) {
        self.connection = connection
        self.multiplexed = multiplexed
        self.stdout = stdout
        self.stderr = stderr
    }

    var inputDescriptor: Int32 { connection.inputSignal }
    var departureDescriptor: Int32 { connection.departureSignal }
    var isGone: Bool { connection.isGone }

    func receive() -> SessionInput {
        switch connection.take() {
        case .bytes(let bytes): return .bytes(bytes)
        case .again: return .again
        case .ended: return .ended
        case .gone: return .gone
        }
    }

    func send(_ bytes: ArraySlice<UInt8>, from stream: SessionOutput) -> Bool {
        guard stream == .stdout ? stdout : stderr else { return !connection.isGone }
        return connection.write(multiplexed ? ContainerLogsRoute.frame(bytes, stdout: stream == .stdout) : Array(bytes))
    }

    /// A message of the service's own in the stream (an exec that could not start), as moby
    /// writes one: on stdout, ended with CR LF.
    func sendMessage(_ text: String) {
        let bytes = Array((text + "\r\n").utf8)[...]
        _ = connection.write(multiplexed ? ContainerLogsRoute.frame(bytes, stdout: true) : Array(bytes))
    }
}
