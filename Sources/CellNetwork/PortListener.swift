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
        let fd = socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw CellError(.setup, "socket: \(Syscall.errorString(errno))") }
        var one: Int32 = 1
        if type == Int32(SOCK_STREAM.rawValue) { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
        do {
            var address = try address(port.hostAddress, port: port.hostPort)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if bound != 0 {
                let suffix = type == Int32(SOCK_DGRAM.rawValue) ? "/udp" : ""
                throw CellError(.setup, "publish \(port.hostAddress):\(port.hostPort)\(suffix): bind: \(Syscall.errorString(errno))")
            }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    static func address(_ host: String, port: UInt16) throws -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        let text = host.isEmpty ? "0.0.0.0" : host
        guard inet_pton(AF_INET, text, &address.sin_addr) == 1 else {
            throw CellError(.usage, "invalid IPv4 address \(host) for a published port")
        }
        return address
    }
}
