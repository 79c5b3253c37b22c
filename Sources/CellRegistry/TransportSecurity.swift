#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// How a request's TLS is checked: the peer against the system's trust store plus the CAs a
/// registry's certs.d folder adds, our side with the client certificate found there; or, for a
/// registry named insecure, not checked at all (as Docker's daemon speaks to those).
public struct TransportSecurity: Sendable, Equatable {
    /// False only for insecure registries.
    public var verifiesPeer = true
    /// PEM certificates trusted besides the system's.
    public var extraAuthorities: [UInt8] = []
    /// PEM files of a client certificate and its key.
    public var clientCertificate: String?
    public var clientKey: String?

    public init() {}

    /// What `host` (`name[:port]`) gets: its certs.d folders read as Docker reads them (`*.crt`
    /// CAs, `NAME.cert` with `NAME.key`); insecure when `configuration` says so.
    public static func forHost(_ host: String, configuration: RegistryConfiguration) throws -> TransportSecurity {
        var security = TransportSecurity()
        security.verifiesPeer = !configuration.isInsecure(host)
        for directory in configuration.certificateDirectories(for: host) where FileSystem.isDirectory(directory) {
            let names = try FileSystem.contentsOfDirectory(directory).sorted()
            for name in names {
                let path = "\(directory)/\(name)"
                if name.hasSuffix(".crt") {
                    var pem = try FileSystem.readFile(path)
                    if pem.last != UInt8(ascii: "\n") { pem.append(UInt8(ascii: "\n")) }
                    security.extraAuthorities += pem
                } else if name.hasSuffix(".cert") {
                    let key = String(name.dropLast(".cert".count)) + ".key"
                    guard names.contains(key) else {
                        throw CellError.invalidInput("missing key \(key) for client certificate \(name) in \(directory). CA certificates must use the extension .crt")
                    }
                    if security.clientCertificate == nil {
                        security.clientCertificate = path
                        security.clientKey = "\(directory)/\(key)"
                    }
                } else if name.hasSuffix(".key") {
                    let certificate = String(name.dropLast(".key".count)) + ".cert"
                    guard names.contains(certificate) else {
                        throw CellError.invalidInput("missing client certificate \(certificate) for key \(name) in \(directory)")
                    }
                }
            }
        }
        return security
    }
}
