#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// An IPv4 or IPv6 address and port, as the socket calls take it. Published ports listen on
/// either family (Docker's `[::]` beside `0.0.0.0`), and a UDP client may write from either.
public struct SocketAddress {
    private var storage = sockaddr_storage()

    /// `host` in either family's text form (`127.0.0.1`, `::1`); nil when it is neither.
    public init?(_ host: String, port: UInt16) {
        guard let storage = SocketAddress.parse(host, port: port) else { return nil }
        self.storage = storage
    }

    private static func parse(_ host: String, port: UInt16) -> sockaddr_storage? {
        var storage = sockaddr_storage()
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &storage) { target in
                withUnsafeBytes(of: v4) { target.copyMemory(from: $0) }
            }
        } else if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            // An IPv4-mapped address (`::ffff:127.0.0.1`) is the IPv4 one, as Go reads it.
            let bytes = withUnsafeBytes(of: v6.sin6_addr) { Array($0) }
            if bytes.prefix(12).elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]) {
                return parse("\(bytes[12]).\(bytes[13]).\(bytes[14]).\(bytes[15])", port: port)
            }
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &storage) { target in
                withUnsafeBytes(of: v6) { target.copyMemory(from: $0) }
            }
        } else {
            return nil
        }
        return storage
    }

    /// An empty address for recvfrom/getsockname to fill.
    public init() {}

    public var family: Int32 { Int32(storage.ss_family) }
    public var isIPv6: Bool { family == AF_INET6 }

    /// What the calls take as the address's size.
    public var length: socklen_t {
        socklen_t(isIPv6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
    }

    public var port: UInt16 {
        withUnsafeBytes(of: storage) { bytes in
            isIPv6 ? UInt16(bigEndian: bytes.load(as: sockaddr_in6.self).sin6_port)
                   : UInt16(bigEndian: bytes.load(as: sockaddr_in.self).sin_port)
        }
    }

    /// The address in its canonical text form (`::` for `0:0::0`), as Go's net.IP prints it.
    public var host: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        withUnsafeBytes(of: storage) { bytes in
            if isIPv6 {
                var address = bytes.load(as: sockaddr_in6.self).sin6_addr
                inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
            } else {
                var address = bytes.load(as: sockaddr_in.self).sin_addr
                inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
            }
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether two client addresses are the same address and port (a UDP association's key).
    public func sameEndpoint(as other: SocketAddress) -> Bool {
        family == other.family && withUnsafeBytes(of: storage) { mine in
            withUnsafeBytes(of: other.storage) { theirs in
                mine.prefix(Int(length)).elementsEqual(theirs.prefix(Int(length)))
            }
        }
    }

    /// Calls `body` with the address as the socket calls take it.
    public func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(of: storage) { bytes in
            try body(bytes.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// Calls `body` with room for the kernel to write an address of either family (recvfrom,
    /// getsockname), and its size, in and out.
    public mutating func withFillableSocketAddress<Result>(_ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) throws -> Result) rethrows -> Result {
        var size = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return try withUnsafeMutableBytes(of: &storage) { bytes in
            try body(bytes.baseAddress!.assumingMemoryBound(to: sockaddr.self), &size)
        }
    }

    /// `host:port`, with an IPv6 host in brackets (`[::]:8080`), as Go's net.JoinHostPort.
    public static func join(host: String, port: String) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The canonical text of `host` (either family); nil when it is not an address.
    public static func canonical(_ host: String) -> String? {
        SocketAddress(host, port: 0)?.host
    }
}
