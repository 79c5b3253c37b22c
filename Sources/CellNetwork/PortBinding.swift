/// One published port as `-p` gave it (a record's HostConfig.PortBindings): container
/// port/protocol → host address and port.
public struct PortBinding: Codable, Sendable, Equatable, Hashable {
    public var containerPort: UInt16
    public var proto: String
    /// Empty: none was given, so every address of both families (`0.0.0.0` and `[::]`), as
    /// Docker 28 listens. `0.0.0.0` given is IPv4 alone. (Records of older cells say `0.0.0.0`
    /// for none: they keep listening on IPv4 alone.)
    public var hostIP: String
    public var hostPort: UInt16

    public init(containerPort: UInt16, proto: String = "tcp", hostIP: String = "", hostPort: UInt16 = 0) {
        self.containerPort = containerPort
        self.proto = proto
        self.hostIP = hostIP
        self.hostPort = hostPort
    }
}
