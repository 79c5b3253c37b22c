import CRuntime

/// Socket calls the monitor's port proxy needs that Swift's Glibc module lacks.
public enum SocketCalls {
    /// accept4 with SOCK_CLOEXEC | SOCK_NONBLOCK; -errno on failure.
    public static func accept(_ listener: Int32) -> Int32 {
        cell_accept(listener)
    }

    /// A close-on-exec socket created inside the network namespace `namespace` (an fd of
    /// /proc/<pid>/ns/net); -errno on failure.
    public static func socket(inNetworkNamespace namespace: Int32, domain: Int32, type: Int32, protocol socketProtocol: Int32 = 0) -> Int32 {
        cell_socket_in_netns(namespace, domain, type, socketProtocol)
    }
}
