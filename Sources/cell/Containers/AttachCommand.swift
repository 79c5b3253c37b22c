import ArgumentParser
import CellContainers
import CellCore

struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Attach local standard input, output, and error streams to a running container.",
        discussion: "Detach with Ctrl-P Ctrl-Q; the container runs on.")

    @Flag(name: .customLong("no-stdin"), help: "Do not attach STDIN.")
    var noStdin = false

    @Flag(name: .customLong("sig-proxy"), inversion: .prefixedNo, help: "Proxy all received signals to the process.")
    var signalProxy = true

    @Option(name: .customLong("detach-keys"), help: "Override the key sequence for detaching a container.")
    var detachKeys: String?

    @Argument(help: "CONTAINER", completion: NameCompletion.containers(.running))
    var container: String

    func run() throws {
        let keys = try DaemonError.reporting { try DetachKeys(parsing: detachKeys ?? "") }
        let target = try DaemonError.reporting { try GlobalOptions.containerStore().resolve(container) }
        Output.flush()
        let outcome = try DaemonError.reporting {
            try target.attach(stdin: !noStdin, detachKeys: keys, proxiesSignals: signalProxy)
        }
        switch outcome {
        case .detached:
            // Docker's CLI returns the escape as its error: the message, and exit 1.
            Output.error("read escape sequence")
            throw ExitCode(1)
        case .exited(let status):
            throw ExitCode(status)
        }
    }
}
