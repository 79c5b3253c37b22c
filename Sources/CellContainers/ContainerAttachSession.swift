import CellCore
import CellRuntime

/// An attach of the Engine API (`POST /containers/{id}/attach`): the same attach socket and
/// frames as `cell attach`, with a peer of the service's instead of our own stdio.
extension Container {
    /// Docker's refusals, before the connection is hijacked (409): a paused container, one
    /// between two runs of its restart policy. A created or stopped one is fine: the attach
    /// waits for its start (`docker run` and `docker start -a` attach before they start).
    public func checkAttachable(reference: String) throws {
        if isPaused { throw CellError.conflict("container \(reference) is paused, unpause the container before attach") }
        if case .restarting = status {
            throw CellError.conflict("container \(reference) is restarting, wait until the container is running")
        }
    }

    /// Attaches `peer` until the container exits (its status), the detach keys are typed on a
    /// tty, or the peer goes (nil; the container runs on). `stdin` is taken only when the
    /// container was created with OpenStdin; its end closes the container's stdin with StdinOnce.
    public func attach(peer: any SessionPeer, stdin: Bool, detachKeys: DetachKeys?) throws -> AttachOutcome? {
        Events.container("attach", self)
        let outcome = try ContainerAttach.attach(containerDirectory: directory, peer: peer,
                                                 stdin: stdin && record.config.openStdin, tty: record.config.tty,
                                                 detachKeys: detachKeys, closesStdin: record.config.stdinOnce ?? false,
                                                 waitingForStart: !isRunning)
        if outcome == .detached { Events.container("detach", self) }
        return outcome
    }

    /// `POST /containers/{id}/resize`: a running `-t` container's terminal size (through its
    /// monitor, as an attach client's resize). 409 when it does not run.
    public func resizeTerminal(height: UInt16, width: UInt16) throws {
        guard isRunning else { throw CellError.conflict("Container \(id) is not running") }
        try ContainerAttach.resize(containerDirectory: directory, rows: height, columns: width)
    }
}
