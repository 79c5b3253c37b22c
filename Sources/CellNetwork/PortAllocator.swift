#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// The host sockets published ports get at a start, as Docker 28 makes them: a port with no
/// host address listens on `0.0.0.0` and on `[::]` (when the host has IPv6), both with the same
/// port number; a port given as 0 (`-P`, `-p 80`) is one the kernel finds free on every address
/// it will listen on.
public enum PortAllocator {
    public static func allocate(_ bindings: [PortBinding]) throws -> [PortMapping] {
        // No ports, no question: the probe below is a socket and a bind.
        if bindings.isEmpty { return [] }
        let ipv6 = hostHasIPv6
        return try bindings.flatMap { binding -> [PortMapping] in
            let proto: PortMapping.TransportProtocol = binding.proto == "udp" ? .udp : .tcp
            let addresses = try hostAddresses(of: binding, ipv6: ipv6)
            let port = binding.hostPort != 0 ? binding.hostPort : try freePort(on: addresses, proto: proto)
            return addresses.map { PortMapping(hostAddress: $0, hostPort: port, containerPort: binding.containerPort, protocol: proto) }
        }
    }

    /// The addresses one binding listens on, in Docker's order (IPv4 first).
    static func hostAddresses(of binding: PortBinding, ipv6: Bool) throws -> [String] {
        if binding.hostIP.isEmpty { return ipv6 ? ["0.0.0.0", "::"] : ["0.0.0.0"] }
        // Canonical, as Docker shows a bound address (`::1` for `0:0::1`).
        guard let address = SocketAddress.canonical(binding.hostIP) else {
            throw CellError.usage("invalid IP address \(binding.hostIP) for a published port")
        }
        return [address]
    }

    /// Whether an IPv6 socket can listen here at all, Docker's test (a host booted with
    /// ipv6.disable=1 has no AF_INET6; one with IPv6 disabled has no ::1 to bind): without it a
    /// port with no host address listens on IPv4 alone, silently.
    public static var hostHasIPv6: Bool {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard let loopback = SocketAddress("::1", port: 0) else { return false }
        return loopback.withSocketAddress { bind(fd, $0, $1) } == 0
    }

    /// A port free on each of `addresses`: the kernel picks one for the first (its ephemeral
    /// range, as Docker allocates from it), and it is kept only if the others can bind it too.
    /// The sockets close again: the monitor binds them for good when the container starts.
    static func freePort(on addresses: [String], proto: PortMapping.TransportProtocol) throws -> UInt16 {
        let type = Int32(proto == .udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue)
        for _ in 0..<64 {
            var probes: [Int32] = []
            defer { probes.forEach { close($0) } }
            var port: UInt16 = 0
            var taken = false
            for host in addresses {
                guard let address = SocketAddress(host, port: port) else {
                    throw CellError.usage("invalid IP address \(host) for a published port")
                }
                let fd = socket(address.family, type | Int32(SOCK_CLOEXEC.rawValue), 0)
                guard fd >= 0 else { throw CellError(.setup, "allocate a port on \(host): socket: \(Syscall.errorString(errno))") }
                probes.append(fd)
                var one: Int32 = 1
                if address.isIPv6 { setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size)) }
                if address.withSocketAddress({ bind(fd, $0, $1) }) != 0 {
                    // The first address has no free port at all; a later one only lacks this one.
                    guard port != 0, errno == EADDRINUSE else {
                        throw CellError(.setup, "allocate a port on \(host): \(Syscall.errorString(errno))")
                    }
                    taken = true
                    break
                }
                if port == 0 {
                    var chosen = SocketAddress()
                    guard chosen.withFillableSocketAddress({ getsockname(fd, $0, $1) }) == 0 else {
                        throw CellError(.setup, "allocate a port on \(host): \(Syscall.errorString(errno))")
                    }
                    port = chosen.port
                }
            }
            if !taken { return port }
        }
        throw CellError(.setup, "allocate a port on \(addresses.joined(separator: " and ")): no port is free on all of them")
    }
}
