#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellCore

/// `cell system service [--time SECONDS] [URI]`: the Docker Engine API on a socket, for the tools
/// that speak it instead of running `docker`. It is the `cell-service` binary beside this one,
/// exec'd with the same store, so that SwiftNIO never loads into the `cell` command itself.
struct ServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service", abstract: "Serve the Docker Engine API on a socket.",
        discussion: "URI: unix:///PATH (default unix:///run/cell/cell.sock) or tcp://HOST:PORT on a loopback address. Under systemd socket activation, the sockets systemd passes.")

    @Option(name: [.customShort("t"), .long], help: ArgumentHelp("Exit after this many seconds without a client (0: never).", valueName: "SECONDS"))
    var time: Int = 5

    @Argument(help: "URI")
    var uris: [String] = []

    func validate() throws {
        if time < 0 { throw ValidationError("invalid argument \"\(time)\" for \"-t, --time\" flag: expected seconds, 0 or more") }
        if uris.count > 1 { throw ValidationError("\"service\" accepts at most 1 argument.") }
    }

    func run() throws {
        let path = GlobalOptions.servicePath
        let arguments = [path, "--root", GlobalOptions.root, "--time", String(time)] + uris
        Output.flush()
        let argv = arguments.map { strdup($0) } + [nil]
        execv(path, argv)
        throw CellError(.setup, "cannot run \(path): \(Syscall.errorString(errno))")
    }
}
