#if canImport(Glibc)
import Glibc
#endif
import NIOSSL

/// dockerd's TLS flags for a TCP listener: `--tls` serves TLS with `--tlscert` and `--tlskey`;
/// `--tlsverify` (implying `--tls`) also demands a client certificate signed by `--tlscacert`, the
/// only way a TCP address other than loopback is served, since the API gives root on this
/// machine. The files default to dockerd's: ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH,
/// else ~/.docker.
struct TLSSettings: Equatable {
    var certificate: String
    var key: String
    /// The CA client certificates must be signed by; nil: no client certificate is asked for.
    var clientAuthority: String?

    var verifiesClients: Bool { clientAuthority != nil }

    /// From the flags as given (nil: not set): nil when neither --tls nor --tlsverify is.
    init?(tls: Bool, verify: Bool, caCertificate: String?, certificate: String?, key: String?) {
        guard tls || verify else { return nil }
        let directory = TLSSettings.defaultDirectory
        self.certificate = certificate ?? "\(directory)/cert.pem"
        self.key = key ?? "\(directory)/key.pem"
        clientAuthority = verify ? caCertificate ?? "\(directory)/ca.pem" : nil
    }

    static var defaultDirectory: String {
        if let path = getenv("DOCKER_CERT_PATH").map({ String(cString: $0) }), !path.isEmpty { return path }
        let home = getenv("HOME").map { String(cString: $0) } ?? "/root"
        return "\(home)/.docker"
    }

    /// The server's context: TLS 1.2 or later; with a client authority, a client without a
    /// certificate, or with one it did not sign, fails the handshake. Unreadable files are a
    /// start-up error that names them.
    func makeContext() throws -> NIOSSLContext {
        let chain: [NIOSSLCertificate], privateKey: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificate)
        } catch {
            throw ServiceError("could not load the TLS certificate \(certificate): \(error)")
        }
        do {
            privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
        } catch {
            throw ServiceError("could not load the TLS key \(key): \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        if let clientAuthority {
            do {
                // Read now, so that a missing file stops the start rather than every handshake.
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientAuthority))
            } catch {
                throw ServiceError("could not load the TLS CA certificate \(clientAuthority): \(error)")
            }
            // A client is not named by a host name: its certificate's signature is what counts.
            configuration.certificateVerification = .noHostnameVerification
        } else {
            configuration.certificateVerification = .none
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServiceError("TLS: the certificate \(certificate) and key \(key) do not make a server context: \(error)")
        }
    }
}
