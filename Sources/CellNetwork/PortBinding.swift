/// One published port: container port/protocol → host address and port.
public struct PortBinding: Codable, Sendable, Equatable, Hashable {
    public var containerPort: UInt16
    public var proto: String
    public var hostIP: String
    public var hostPort: UInt16

    public init(containerPort: UInt16, proto: String = "tcp", hostIP: String = "0.0.0.0", hostPort: UInt16 = 0) {
        self.containerPort = containerPort
        self.proto = proto
        self.hostIP = hostIP
        self.hostPort = hostPort
    }

    /// `0.0.0.0:49153->5000/tcp`
    public var description: String {
        "\(hostIP):\(hostPort)->\(containerPort)/\(proto)"
    }
}
