#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellCore

/// `cell system service [--time SECONDS] [--tls...] [URI]`: the Docker Engine API on a socket, for the tools
/// that speak it instead of running `docker`. It is the `cell-service` binary beside this one,
/// exec'd with the same store, so that SwiftNIO never loads into the `cell` command itself.
struct ServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service", abstract: "Serve the Docker Engine API on a socket.",
        discussion: "URI: unix:///PATH (default unix:///run/cell/cell.sock) or tcp://HOST:PORT (an address other than loopback only with --tlsverify: client certificates signed by --tlscacert). Under systemd socket activation, the sockets systemd passes.")

    @Option(name: [.customShort("t"), .long], help: ArgumentHelp("Exit after this many seconds without a client (0: never).", valueName: "SECONDS"))
    var time: Int = 5

    // dockerd's TLS flags; cell-service reads and checks them.
    @Flag(help: "Use TLS on a tcp:// address; implied by --tlsverify.")
    var tls = false

    @Flag(help: "Use TLS and verify the client's certificate.")
    var tlsverify = false

    @Option(help: ArgumentHelp("Trust client certificates signed by this CA only.", valueName: "FILE"))
    var tlscacert: String?

    @Option(help: ArgumentHelp("Path to the TLS certificate file.", valueName: "FILE"))
    var tlscert: String?

    @Option(help: ArgumentHelp("Path to the TLS key file.", valueName: "FILE"))
    var tlskey: String?

    @Argument(help: "URI")
    var uris: [String] = []

    func validate() throws {
        if time < 0 { throw ValidationError("invalid argument \"\(time)\" for \"-t, --time\" flag: expected seconds, 0 or more") }
        if uris.count > 1 { throw ValidationError("\"service\" accepts at most 1 argument.") }
    }

    func run() throws {
        let path = GlobalOptions.servicePath
        var tlsArguments = (tls ? ["--tls"] : []) + (tlsverify ? ["--tlsverify"] : [])
        for (flag, value) in [("--tlscacert", tlscacert), ("--tlscert", tlscert), ("--tlskey", tlskey)] {
            if let value { tlsArguments += [flag, value] }
        }
        let arguments = [path, "--root", GlobalOptions.root, "--time", String(time)] + tlsArguments + uris
        Output.flush()
        let argv = arguments.map { strdup($0) } + [nil]
        execv(path, argv)
        throw CellError(.setup, "cannot run \(path): \(Syscall.errorString(errno))")
    }
}
