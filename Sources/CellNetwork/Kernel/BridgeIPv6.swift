#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// A bridge network is IPv4 only, so its bridge takes no IPv6 at all. Having no IPv6 address
/// (its address generation is off) is not enough: a container still sends the bridge's MAC
/// IPv6 packets of its own making (raw sockets come with Docker's default capabilities) for any
/// IPv6 address the host has, and the host hands them to whatever listens on `[::]` (published
/// ports among them), past the network's IPv4 rules: an `--internal` network's `INPUT` drop
/// too. With IPv6 off on the bridge, the host drops every IPv6 packet that arrives on it.
enum BridgeIPv6 {
    /// Turns IPv6 off on `interface` (nothing to do on a host without IPv6).
    static func disable(on interface: String) throws {
        let path = "/proc/sys/net/ipv6/conf/\(interface)/disable_ipv6"
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT && !FileSystem.exists("/proc/sys/net/ipv6/conf") { return }
            throw CellError.system("turn IPv6 off on \(interface): \(Syscall.errorString(errno))")
        }
        let handle = FileDescriptorHandle(fd: fd, path: path)
        defer { try? handle.close() }
        try handle.writeAll(Array("1\n".utf8))
    }
}
