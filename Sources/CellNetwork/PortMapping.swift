/// A host port forwarded by the monitor to a port inside the container (`-p`).
public struct PortMapping: Equatable, Sendable {
    public enum TransportProtocol: String, Equatable, Sendable { case tcp, udp }
    public var hostAddress: String
    public var hostPort: UInt16
    public var containerPort: UInt16
    public var `protocol`: TransportProtocol

    public init(hostAddress: String = "0.0.0.0", hostPort: UInt16, containerPort: UInt16, protocol: TransportProtocol = .tcp) {
        self.hostAddress = hostAddress
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.protocol = `protocol`
    }
}
