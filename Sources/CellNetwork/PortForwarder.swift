#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// Published ports as a user-space proxy (like docker-proxy, without iptables). TCP: listen on
/// the host; for each client open a socket inside the container's network namespace and
/// connect it to the container port, on the container's bridge address as docker-proxy does
/// (its loopback when it has none); copy bytes both ways. UDP: `DatagramForwarder`.
public final class PortForwarder {
    /// One direction of a connection: bytes read from `source`, waiting to go to `target`.
    private struct Flow {
        var source: Int32
        var target: Int32
        var buffer: [UInt8] = []
        var sourceEnded = false
        var done = false
    }

    private let listeners: [PortListener]
    private var flows: [Flow] = []
    private var networkNamespace: Int32 = -1
    /// Where the container's ports are reached from inside its namespace.
    private var containerAddress = "127.0.0.1"
    private let datagrams: DatagramForwarder
    /// How many fds the TCP side listed in the last `descriptors()`.
    private var streamDescriptorCount = 0

    public init(ports: [PortMapping]) throws {
        datagrams = try DatagramForwarder(ports: ports)
        listeners = try PortListener.open(ports, transport: .tcp)
    }

    deinit {
        for listener in listeners { close(listener.fd) }
        closeAll()
        if networkNamespace >= 0 { close(networkNamespace) }
    }

    public var isEmpty: Bool { listeners.isEmpty && datagrams.isEmpty }

    /// Peers are opened in the network namespace of `pid` (nil: the host's, for --network host)
    /// and connected to `address` there.
    public func attach(toNetworkOf pid: Int32?, address: String = "127.0.0.1") throws {
        containerAddress = address
        datagrams.containerAddress = address
        guard let pid, !isEmpty else { return }
        networkNamespace = try Syscall.retrying("open /proc/\(pid)/ns/net") { open("/proc/\(pid)/ns/net", O_RDONLY | O_CLOEXEC) }
    }

    /// The fds to poll, in the order `handle` expects them back.
    public func descriptors() -> [pollfd] {
        var result = listeners.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        for flow in flows {
            // Read while the buffer is empty; write while it is not.
            let wantsRead = !flow.done && !flow.sourceEnded && flow.buffer.isEmpty
            let wantsWrite = !flow.done && !flow.buffer.isEmpty
            result.append(pollfd(fd: wantsRead ? flow.source : -1, events: Int16(POLLIN), revents: 0))
            result.append(pollfd(fd: wantsWrite ? flow.target : -1, events: Int16(POLLOUT), revents: 0))
        }
        streamDescriptorCount = result.count
        return result + datagrams.descriptors()
    }

    public func handle(_ ready: ArraySlice<pollfd>) {
        var index = ready.startIndex
        for listener in listeners {
            if ready[index].revents != 0 { accept(on: listener) }
            index += 1
        }
        let count = flows.count - newFlowsSinceDescriptors
        for i in 0..<count {
            if ready[index].revents != 0 { read(&flows[i]) }
            if ready[index + 1].revents != 0 { write(&flows[i]) }
            index += 2
        }
        newFlowsSinceDescriptors = 0
        reapFinishedConnections()
        datagrams.handle(ready[(ready.startIndex + streamDescriptorCount)...], networkNamespace: networkNamespace)
    }

    /// Flows added during `handle` have no entries in this round's poll set.
    private var newFlowsSinceDescriptors = 0

    private func accept(on listener: PortListener) {
        while true {
            let client = SocketCalls.accept(listener.fd)
            if client < 0 { return }
            let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
            let peer = networkNamespace >= 0 ? SocketCalls.socket(inNetworkNamespace: networkNamespace, domain: AF_INET, type: type)
                                             : socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0)
            // The container side is IPv4, whichever family the client came in on (docker-proxy
            // maps a host's [::] to an IPv4-only container the same way).
            guard peer >= 0, let address = SocketAddress(containerAddress, port: listener.containerPort) else {
                close(client)
                if peer >= 0 { close(peer) }
                continue
            }
            let connected = address.withSocketAddress { connect(peer, $0, $1) }
            if connected != 0 && errno != EINPROGRESS {
                close(client)
                close(peer)
                continue
            }
            // A refused connect shows up as an error on the first read or write: both close.
            flows.append(Flow(source: client, target: peer))
            flows.append(Flow(source: peer, target: client))
            newFlowsSinceDescriptors += 2
        }
    }

    private func read(_ flow: inout Flow) {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let n = chunk.withUnsafeMutableBytes { Glibc.read(flow.source, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
        if n < 0 { flow.done = true; return }
        if n == 0 {
            flow.sourceEnded = true
            shutdown(flow.target, Int32(SHUT_WR))
            flow.done = true
            return
        }
        flow.buffer = Array(chunk[0..<n])
    }

    private func write(_ flow: inout Flow) {
        let n = flow.buffer.withUnsafeBytes { Glibc.write(flow.target, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
        if n <= 0 { flow.done = true; return }
        flow.buffer.removeFirst(n)
    }

    /// A connection is two flows next to each other; it closes when both are done, or at once
    /// when one failed (a reset or refused connect).
    private func reapFinishedConnections() {
        var i = 0
        while i + 1 < flows.count {
            let (a, b) = (flows[i], flows[i + 1])
            let failed = (a.done && !a.sourceEnded) || (b.done && !b.sourceEnded)
            if (a.done && b.done) || failed {
                close(a.source)
                close(a.target)
                flows.removeSubrange(i...(i + 1))
            } else {
                i += 2
            }
        }
    }

    /// Drops every connection (the container is gone).
    public func closeAll() {
        datagrams.closeAll()
        var i = 0
        while i + 1 < flows.count {
            close(flows[i].source)
            close(flows[i].target)
            i += 2
        }
        flows = []
    }
}
