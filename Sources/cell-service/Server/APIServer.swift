#if canImport(Glibc)
import Glibc
#endif
import CellCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The service: NIO's HTTP/1.1 server pipeline on one event loop, each connection's requests run
/// on threads of their own (`HTTPConnectionHandler`). It listens on the sockets systemd passed, or
/// else on the address given, and ends on SIGTERM, SIGINT, or after `--time` idle seconds.
///
/// NIO's pipeline rather than a framework over it: a hijacked stream (attach, exec start: `101
/// UPGRADED`, then raw bytes both ways) is a change of the connection's pipeline, the HTTP codec
/// taken out after the 101 and a byte handler put in, which needs the channel a framework keeps
/// to itself.
final class APIServer {
    private let router: Router
    private let idleSeconds: Int
    private let requestTimeout: Int
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    init(router: Router, idleSeconds: Int, requestTimeout: Int) {
        self.router = router
        self.idleSeconds = idleSeconds
        self.requestTimeout = requestTimeout
    }

    /// Serves until a signal or the idle timeout; returns after the listeners are closed and the
    /// socket files this process made are removed.
    /// `tls`: the context a TCP listener's connections shake hands with first (nil: plain);
    /// `verifiesClients`: whether it asks for client certificates, without which a TCP socket
    /// off loopback, systemd's included, is refused.
    func run(address: ListenAddress?, tls: NIOSSLContext? = nil, verifiesClients: Bool = false) throws {
        let loop = group.next()
        let listeners = NIOLockedValueBox<[any Channel]>([])
        let activity = try loop.submit {
            NIOLoopBound(ServiceActivity(eventLoop: loop, idleSeconds: self.idleSeconds) {
                APIServer.close(listeners)
            }, eventLoop: loop)
        }.wait()
        let bootstrap = self.bootstrap(activity: activity, tls: nil)

        var socketFiles: [String] = []
        let activated = SocketActivation.takeSockets()
        if !activated.isEmpty {
            for fd in activated {
                // A TCP socket from systemd is served as a tcp:// address would be.
                let tcp = SocketActivation.tcpAddress(of: fd)
                if let tcp, tcp.isReachableFromOutside, !verifiesClients {
                    throw ServiceError("\(tcp) (from systemd): TCP on an address other than loopback needs --tlsverify (a client certificate signed by --tlscacert): the API gives root on this machine")
                }
                let channel = try (tcp != nil ? self.bootstrap(activity: activity, tls: tls) : bootstrap).withBoundSocket(fd).wait()
                listeners.withLockedValue { $0.append(channel) }
            }
            log("listening on \(activated.count) socket(s) from systemd")
        } else {
            let address = address ?? .standard
            let channel: any Channel
            switch address {
            case .unix(let path):
                try UnixSocketFile.prepare(path)
                channel = try UnixSocketFile.withRestrictiveUmask { try bootstrap.bind(unixDomainSocketPath: path).wait() }
                socketFiles.append(path)
                try UnixSocketFile.restrict(path)
            case .tcp(let host, let port):
                channel = try self.bootstrap(activity: activity, tls: tls).bind(host: host, port: port).wait()
            }
            listeners.withLockedValue { $0.append(channel) }
            log("listening on \(address)\(tls != nil && address.isTCP ? " (TLS)" : "")")
        }
        try loop.submit { activity.value.start() }.wait()
        TerminationSignals.onSignal { loop.execute { APIServer.close(listeners) } }

        for channel in listeners.withLockedValue({ $0 }) {
            try? channel.closeFuture.wait()
        }
        for path in socketFiles { unlink(path) }
    }

    /// With `tls`, each connection's first handler is the TLS server: a client that fails the
    /// handshake (no certificate, another CA's, plain HTTP) gets an alert and a close, and never
    /// reaches HTTP.
    /// How long a TLS client has to finish its handshake.
    static let handshakeSeconds: Int64 = 10

    private func bootstrap(activity: NIOLoopBound<ServiceActivity>, tls: NIOSSLContext?) -> ServerBootstrap {
        let router = self.router, requestTimeout = self.requestTimeout
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                        try channel.pipeline.syncOperations.addHandler(HandshakeDeadline(seconds: APIServer.handshakeSeconds))
                    }
                    let stage = HTTPStage(deadline: RequestDeadline(seconds: requestTimeout), activity: activity.value)
                    try stage.install(in: channel, router: router)
                }
            }
    }

    private static func close(_ listeners: NIOLockedValueBox<[any Channel]>) {
        for channel in listeners.withLockedValue({ $0 }) { channel.close(promise: nil) }
    }

    private func log(_ line: String) {
        let text = "cell system service: \(line)\n"
        _ = Syscall.writeAll(2, Array(text.utf8)[...])
    }
}
