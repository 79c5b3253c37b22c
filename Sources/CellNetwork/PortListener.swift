#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// A host socket bound for one published port (`-p`), and the container port it forwards to.
/// Bound before the container starts, so that a port already taken fails the start.
public struct PortListener {
    let fd: Int32
    let containerPort: UInt16

    /// Sockets for `ports` of `transport`: TCP ones listening, UDP ones bound.
    static func open(_ ports: [PortMapping], transport: PortMapping.TransportProtocol) throws -> [PortListener] {
        var listeners: [PortListener] = []
        do {
            for port in ports where port.protocol == transport {
                let stream = transport == .tcp
                let fd = try boundSocket(for: port, type: Int32(stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue))
                listeners.append(PortListener(fd: fd, containerPort: port.containerPort))
                if stream && listen(fd, 128) != 0 {
                    throw CellError(.setup, "publish \(port.hostAddress):\(port.hostPort): listen: \(Syscall.errorString(errno))")
                }
            }
        } catch {
            for listener in listeners { close(listener.fd) }
            throw error
        }
        return listeners
    }

    static func boundSocket(for port: PortMapping, type: Int32) throws -> Int32 {
        let shown = SocketAddress.join(host: port.hostAddress, port: String(port.hostPort))
            + (type == Int32(SOCK_DGRAM.rawValue) ? "/udp" : "")
        guard let address = SocketAddress(port.hostAddress.isEmpty ? "0.0.0.0" : port.hostAddress, port: port.hostPort) else {
            throw CellError(.usage, "invalid IP address \(port.hostAddress) for a published port")
        }
        let fd = socket(address.family, type | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw CellError(.setup, "publish \(shown): socket: \(Syscall.errorString(errno))") }
        var one: Int32 = 1
        if type == Int32(SOCK_STREAM.rawValue) { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
        // `[::]` is the IPv6 half only: `0.0.0.0` has a socket of its own, as docker-proxy
        // listens, so each family's port is taken (and shown) apart.
        if address.isIPv6 { setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size)) }
        let bound = address.withSocketAddress { bind(fd, $0, $1) }
        if bound != 0 {
            let error = CellError(.setup, "publish \(shown): bind: \(Syscall.errorString(errno))")
            close(fd)
            throw error
        }
        return fd
    }
}
