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

    @Argument(help: "CONTAINER", completion: NameCompletion.containers(.running))
    var container: String

    func run() throws {
        let target = try DaemonError.reporting { try GlobalOptions.containerStore().resolve(container) }
        Output.flush()
        let outcome = try DaemonError.reporting {
            try target.attach(stdin: !noStdin)
        }
        switch outcome {
        case .detached:
            Output.error("read escape sequence")
            return
        case .exited(let status):
            throw ExitCode(status)
        }
    }
}
