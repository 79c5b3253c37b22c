import ArgumentParser
import CellContainers
import CellCore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Create and run a new container from an image.")

    @OptionGroup var flags: ContainerFlags

    @Flag(name: [.customShort("d"), .long], help: "Run container in background and print container ID.")
    var detach = false

    @Option(name: [.customShort("a"), .long], help: "Attach to STDIN, STDOUT or STDERR.")
    var attach: [String] = []

    @Flag(name: .customLong("sig-proxy"), inversion: .prefixedNo, help: "Proxy received signals to the process.")
    var signalProxy = true

    @Option(name: .customLong("detach-keys"), help: "Override the key sequence for detaching a container.")
    var detachKeys: String?

    @Argument(help: "IMAGE", completion: NameCompletion.images)
    var image: String

    @Argument(parsing: .captureForPassthrough, help: "[COMMAND] [ARG...]")
    var command: [String] = []

    func run() throws {
        let attachment = try Self.attachment(attach, detachKeys: detachKeys, signalProxy: signalProxy)
        if detach && !attach.isEmpty {
            // Docker's CLI says this without its usual prefix, and exits 1.
            Output.error("conflicting options: cannot specify both --attach and --detach")
            throw ExitCode(1)
        }
        try Self.run(flags.options(image: image, command: command), detach: detach, attachment: attachment, create: flags.create)
    }

    /// Creates and starts the container, then waits for it or prints its id: ArgumentParser's
    /// command line and QuickCommandLine's both end here.
    static func run(_ options: RunOptions, detach: Bool, attachment: Attachment,
                    create: (RunOptions, ContainerRunner) throws -> Container) throws {
        var runner = GlobalOptions.runner()
        runner.startMonitorAhead(detach: detach, interactive: options.interactive, attachment: attachment)
        let container = try create(options, runner)
        if detach {
            try ContainerRunner.asRunError { try runner.startDetached(container) }
            Output.line(container.id)
            return
        }
        Output.flush()
        switch try runner.runAttached(container, attachment: attachment) {
        case .exited(let status): throw ExitCode(status)
        case .detached: return
        }
    }

    /// `-a`: the streams shown (stdout and stderr when none is named; stdin follows -i, as in
    /// Docker, where -i attaches it anyway and `-a stdin` alone opens nothing).
    static func attachment(_ attach: [String] = [], detachKeys: String? = nil, signalProxy: Bool = true) throws -> Attachment {
        let streams = try attach.map { name -> String in
            let stream = name.lowercased()
            guard ["stdin", "stdout", "stderr"].contains(stream) else {
                throw CellError.usage("invalid argument \"\(name)\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR")
            }
            return stream
        }
        // run's own failures exit 125, before anything is created.
        let keys = try DaemonError.reporting { try ContainerRunner.asRunError { try DetachKeys(parsing: detachKeys ?? "") } }
        return Attachment(standardOutput: streams.isEmpty || streams.contains("stdout"),
                          standardError: streams.isEmpty || streams.contains("stderr"),
                          detachKeys: keys, proxiesSignals: signalProxy)
    }
}

struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a new container.")

    @OptionGroup var flags: ContainerFlags

    @Argument(help: "IMAGE", completion: NameCompletion.images)
    var image: String

    @Argument(parsing: .captureForPassthrough, help: "[COMMAND] [ARG...]")
    var command: [String] = []

    func run() throws {
        let options = try flags.options(image: image, command: command)
        Output.line(try flags.create(options, with: GlobalOptions.runner()).id)
    }
}
