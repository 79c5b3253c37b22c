#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// Published UDP ports, as docker-proxy serves them: each client address gets its own socket
/// inside the container's network namespace, connected to the container port on loopback, so
/// replies find their way back to that client. An association idle for 90 s is dropped.
public final class DatagramForwarder {
    private struct Association {
        var listener: Int
        var client: SocketAddress
        var peer: Int32
        var lastUsed: Double
    }

    static let idleTimeout = 90.0
    private let listeners: [PortListener]
    private var associations: [Association] = []
    /// How many associations the last `descriptors()` listed (new ones are polled next round).
    private var polledAssociations = 0
    private var buffer = [UInt8](repeating: 0, count: 65536)

    /// Where the container's ports are reached from inside its namespace (`PortForwarder.attach`).
    var containerAddress = "127.0.0.1"

    public init(ports: [PortMapping]) throws {
        listeners = try PortListener.open(ports, transport: .udp)
    }

    deinit {
        for listener in listeners { close(listener.fd) }
        closeAll()
    }

    public var isEmpty: Bool { listeners.isEmpty }

    /// The fds to poll, in the order `handle` expects them back.
    public func descriptors() -> [pollfd] {
        polledAssociations = associations.count
        return listeners.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            + associations.map { pollfd(fd: $0.peer, events: Int16(POLLIN), revents: 0) }
    }

    /// `networkNamespace`: the container's (-1: the host's, for --network host).
    public func handle(_ ready: ArraySlice<pollfd>, networkNamespace: Int32) {
        let now = Deadline.monotonicNow()
        var index = ready.startIndex
        for position in listeners.indices {
            if ready[index].revents != 0 { receiveFromClients(on: position, networkNamespace: networkNamespace, now: now) }
            index += 1
        }
        for position in 0..<polledAssociations {
            if ready[index].revents != 0 { relayReplies(of: position, now: now) }
            index += 1
        }
        // Idle associations go; their sockets close.
        associations.removeAll { association in
            let idle = now - association.lastUsed > DatagramForwarder.idleTimeout
            if idle { close(association.peer) }
            return idle
        }
    }

    private func receiveFromClients(on position: Int, networkNamespace: Int32, now: Double) {
        let listener = listeners[position]
        while true {
            var client = SocketAddress()
            let count = buffer.withUnsafeMutableBytes { bytes in
                client.withFillableSocketAddress { recvfrom(listener.fd, bytes.baseAddress, bytes.count, 0, $0, $1) }
            }
            if count < 0 { return }
            guard let association = association(for: client, listener: position, networkNamespace: networkNamespace) else { continue }
            associations[association].lastUsed = now
            _ = buffer.withUnsafeBytes { send(associations[association].peer, $0.baseAddress, count, Int32(MSG_NOSIGNAL)) }
        }
    }

    private func relayReplies(of position: Int, now: Double) {
        var association = associations[position]
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(association.peer, $0.baseAddress, $0.count, 0) }
            if count < 0 { break }
            association.lastUsed = now
            _ = buffer.withUnsafeBytes { bytes in
                association.client.withSocketAddress { sendto(listeners[association.listener].fd, bytes.baseAddress, count, 0, $0, $1) }
            }
        }
        associations[position] = association
    }

    /// The client's association, made on its first datagram.
    private func association(for client: SocketAddress, listener: Int, networkNamespace: Int32) -> Int? {
        if let found = associations.firstIndex(where: { $0.listener == listener && $0.client.sameEndpoint(as: client) }) {
            return found
        }
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let peer = networkNamespace >= 0 ? SocketCalls.socket(inNetworkNamespace: networkNamespace, domain: AF_INET, type: type)
                                         : socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        // The container side is IPv4, whichever family the client wrote from.
        guard peer >= 0, let address = SocketAddress(containerAddress, port: listeners[listener].containerPort) else {
            if peer >= 0 { close(peer) }
            return nil
        }
        let connected = address.withSocketAddress { connect(peer, $0, $1) }
        guard connected == 0 else {
            close(peer)
            return nil
        }
        associations.append(Association(listener: listener, client: client, peer: peer, lastUsed: Deadline.monotonicNow()))
        return associations.count - 1
    }

    public func closeAll() {
        for association in associations { close(association.peer) }
        associations = []
        polledAssociations = 0
    }
}
