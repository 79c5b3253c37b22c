#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// `cell-service [--root DIR] [--time SECONDS] [--tls...] [URI]`, as `cell system service` passes them.
struct ServiceArguments {
    var root: String
    var idleSeconds = 5
    var address: ListenAddress?
    /// TLS for a TCP address (dockerd's flags).
    var tls: TLSSettings?

    static let usage = """
        Usage:  cell system service [OPTIONS] [URI]

        Serve the Docker Engine API on URI (default unix:///run/cell/cell.sock; tcp://HOST:PORT, on
        an address other than loopback only with --tlsverify), or on the sockets systemd passes.

        Options:
              --root DIR          The store (default: CELL_ROOT, else /var/lib/cell)
          -t, --time SECONDS      Exit after this many seconds without a client (0: never; default 5)
              --tls               Use TLS on a tcp:// address; implied by --tlsverify
              --tlscacert FILE    Trust client certificates signed by this CA only (default: ca.pem)
              --tlscert FILE      Path to the TLS certificate file (default: cert.pem)
              --tlskey FILE       Path to the TLS key file (default: key.pem)
              --tlsverify         Use TLS and verify the client's certificate
                                  (the files default to DOCKER_CERT_PATH, else ~/.docker)
        """

    init(_ arguments: [String]) throws {
        root = getenv("CELL_ROOT").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? StoreLayout.defaultRoot
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw ServiceError("flag needs an argument: \(flag)") }
            return next
        }
        var tls = false, verify = false
        var caCertificate: String?, certificate: String?, key: String?
        while let argument = rest.popFirst() {
            // dockerd's --flag=value forms as well.
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--tls") {
                let name = String(argument[..<equals]), given = String(argument[argument.index(after: equals)...])
                switch name {
                case "--tls": tls = try Self.boolean(given, flag: name)
                case "--tlsverify": verify = try Self.boolean(given, flag: name)
                case "--tlscacert": caCertificate = given
                case "--tlscert": certificate = given
                case "--tlskey": key = given
                default: throw ServiceError("unknown flag: \(name)")
                }
                continue
            }
            switch argument {
            case "--tls": tls = true
            case "--tlsverify": verify = true
            case "--tlscacert": caCertificate = try value(argument)
            case "--tlscert": certificate = try value(argument)
            case "--tlskey": key = try value(argument)
            case "--root": root = try value(argument)
            case "-t", "--time": idleSeconds = try Self.seconds(try value(argument))
            case _ where argument.hasPrefix("--root="): root = String(argument.dropFirst("--root=".count))
            case _ where argument.hasPrefix("--time="): idleSeconds = try Self.seconds(String(argument.dropFirst("--time=".count)))
            case _ where argument.hasPrefix("-") && argument.count > 1:
                throw ServiceError("unknown flag: \(argument)")
            default:
                guard address == nil else { throw ServiceError("accepts at most 1 arg(s), received 2") }
                address = try ListenAddress(parsing: argument)
            }
        }
        guard root.hasPrefix("/") else { throw ServiceError("--root must be an absolute path: \(root)") }
        self.tls = TLSSettings(tls: tls, verify: verify, caCertificate: caCertificate, certificate: certificate, key: key)
        if let address, address.isReachableFromOutside, self.tls?.verifiesClients != true {
            throw ServiceError("\(address): TCP on an address other than loopback needs --tlsverify (a client certificate signed by --tlscacert): the API gives root on this machine")
        }
    }

    /// Go's strconv.ParseBool, as dockerd reads --tls=false.
    private static func boolean(_ text: String, flag: String) throws -> Bool {
        guard let value = GoBool.parse(text) else {
            throw ServiceError("invalid argument \"\(text)\" for \"\(flag)\" flag: strconv.ParseBool: parsing \"\(text)\": invalid syntax")
        }
        return value
    }

    private static func seconds(_ text: String) throws -> Int {
        guard let seconds = Int(text), seconds >= 0 else {
            throw ServiceError("invalid argument \"\(text)\" for \"-t, --time\" flag: expected seconds, 0 or more")
        }
        return seconds
    }
}
