#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellNetwork

/// What a TLS client is told: the CA to trust (nil: the system's), its own certificate and key
/// (both or neither), or no verification at all.
public struct TLSClientSettings: Equatable, Sendable {
    public var caFile: String?
    public var certificateFile: String?
    public var keyFile: String?
    public var skipVerify = false

    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil, skipVerify: Bool = false) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.skipVerify = skipVerify
    }
}

/// The client side of a TLS connection over a connected, blocking TCP socket (its send and
/// receive timeouts bound the handshake and each write), as Go's tls.Client makes it for
/// Docker's syslog driver: the server's certificate checked against the CA file (or the
/// system's), its name or address against the host dialled, unless verification is skipped; a
/// client certificate when one is given.
final class TLSClientConnection {
    private let library: OpenSSLLibrary
    private let context: OpaquePointer
    private let session: OpaquePointer
    let fd: Int32

    /// Takes over `fd` (closed with the connection) and shakes hands; throws Go's kind of words.
    init(fd: Int32, host: String, settings: TLSClientSettings) throws {
        self.fd = fd
        do {
            library = try OpenSSLLibrary.shared()
        } catch {
            close(fd)
            throw error
        }
        guard let method = library.clientMethod(), let context = library.contextNew(method) else {
            close(fd)
            throw CellError(.system, "tls: \(library.lastError())")
        }
        // The context is set up first: a session takes its verification and certificate when made.
        do {
            try TLSClientConnection.configure(context, settings: settings, library: library)
        } catch {
            library.contextFree(context)
            close(fd)
            throw error
        }
        self.context = context
        guard let session = library.new(context) else {
            library.contextFree(context)
            close(fd)
            throw CellError(.system, "tls: \(library.lastError())")
        }
        self.session = session
        try configureSession(host: host, verify: !settings.skipVerify)
        if library.connect(session) != 1 {
            let verification = library.verifyResult(session)
            let reason = verification != OpenSSLLibrary.verified
                ? "tls: failed to verify certificate: " + (library.verifyErrorString(verification).map { String(cString: $0) } ?? "error \(verification)")
                : "tls: handshake failed: \(library.lastError())"
            throw CellError(.setup, reason)
        }
    }

    private static func configure(_ context: OpaquePointer, settings: TLSClientSettings, library: OpenSSLLibrary) throws {
        if settings.skipVerify {
            library.setVerify(context, OpenSSLLibrary.verifyNone, nil)
        } else {
            library.setVerify(context, OpenSSLLibrary.verifyPeer, nil)
            let loaded = settings.caFile.map { library.loadVerifyLocations(context, $0, nil) } ?? library.setDefaultVerifyPaths(context)
            guard loaded == 1 else {
                throw CellError(.setup, "could not read CA certificate \"\(settings.caFile ?? "")\": \(library.lastError())")
            }
        }
        if let certificate = settings.certificateFile, let key = settings.keyFile {
            guard library.useCertificateChainFile(context, certificate) == 1,
                  library.usePrivateKeyFile(context, key, OpenSSLLibrary.fileTypePEM) == 1,
                  library.checkPrivateKey(context) == 1 else {
                throw CellError(.setup, "could not load X509 key pair: \(library.lastError())")
            }
        }
    }

    private func configureSession(host: String, verify: Bool) throws {
        guard library.setFD(session, fd) == 1 else { throw CellError(.system, "tls: \(library.lastError())") }
        // The name the server is asked for and checked against; an address literal is checked
        // as an address (and sent no name, as Go sends none).
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let isAddress = SocketAddress(bare, port: 0) != nil
        if !isAddress {
            _ = bare.withCString { library.control(session, OpenSSLLibrary.setServerName, 0, UnsafeMutableRawPointer(mutating: $0)) }
        }
        if verify {
            let checked = isAddress ? library.parameters(session).map { library.setAddress($0, bare) } ?? 0 : library.setHost(session, bare)
            guard checked == 1 else { throw CellError(.system, "tls: \(library.lastError())") }
        }
    }

    /// Sends all of `bytes`; false when the connection failed (it is then of no further use).
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let chunk = Int32(min(bytes.count - offset, Int(Int32.max)))
            let written = library.write(session, bytes.baseAddress! + offset, chunk)
            if written <= 0 { return false }
            offset += Int(written)
        }
        return true
    }

    deinit {
        _ = library.shutdown(session)
        library.free(session)
        library.contextFree(context)
        close(fd)
    }
}
