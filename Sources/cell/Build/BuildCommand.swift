#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CellBuild
import CellCore
import CellImage

/// `docker build`: an Imagefile (or Dockerfile) and its context into an image.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an image from an Imagefile (Dockerfile syntax).",
        usage: "cell build [OPTIONS] PATH")

    @Option(name: [.customShort("t"), .long], help: "Name and optionally a tag (format: name:tag).")
    var tag: [String] = []

    @Option(name: [.customShort("f"), .long], help: "Name of the Imagefile (default: PATH/Imagefile, else Dockerfile, Containerfile).", completion: .file())
    var file: String?

    @Option(name: .customLong("build-arg"), help: "Set build-time variables.")
    var buildArg: [String] = []

    @Option(help: "Set the target build stage to build.")
    var target: String?

    @Flag(name: .customLong("no-cache"), help: "Do not use cache when building the image.")
    var noCache = false

    @Flag(name: [.customShort("q"), .long], help: "Suppress the build output and print image ID on success.")
    var quiet = false

    @Option(help: "Set type of progress output (auto, plain, tty, quiet). Use plain to show container output.")
    var progress: String = "auto"

    @Option(help: "Set metadata for an image.")
    var label: [String] = []

    @Option(help: "Write the image ID to the file.", completion: .file())
    var iidfile: String?

    @Flag(help: "Check the Imagefile without building.")
    var check = false

    @Flag(name: .customLong("rm"), help: "Remove intermediate containers after a successful build (always).")
    var removeIntermediate = false

    @Flag(name: .customLong("force-rm"), help: "Always remove intermediate containers (always).")
    var forceRemove = false

    @Flag(help: "Always attempt to pull a newer version of the image.")
    var pull = false

    @Option(help: "Set the networking mode for the RUN instructions (host only).")
    var network: String?

    @Argument(help: "PATH", completion: .directory)
    var context: String

    func validate() throws {
        if let network, network != "host", network != "default" {
            throw ValidationError("--network \(network): cell's RUN steps use the host's network")
        }
    }

    func run() throws {
        // Like docker build, every failure of the build itself exits 1, with one line.
        do {
            try build()
        } catch let error as CellError where error.kind == .usage || error.kind == .setup {
            throw CellError.invalidInput(error.message)
        }
    }

    private func build() throws {
        let display = try BuildProgressMode.display(given: progress, quiet: quiet, terminal: isatty(2) != 0,
                                                    environment: getenv("BUILDKIT_PROGRESS").map { String(cString: $0) })
        // `build -`: the Imagefile on stdin and no context, as `docker build - < Dockerfile`.
        var emptyContext: String?
        defer { if let emptyContext { try? FileSystem.removeTree(emptyContext) } }
        if context == "-" {
            guard file == nil || file == "-" else { throw CellError.usage("-f cannot be used when the Imagefile comes from stdin (build -)") }
            emptyContext = try FileSystem.makeTemporaryDirectory(in: getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp", prefix: "cell-build")
        }
        var options = BuildOptions(contextDirectory: emptyContext ?? context)
        options.imagefile = emptyContext != nil ? "-" : file
        options.tags = tag
        options.target = target
        options.noCache = noCache
        options.pullAlways = pull
        options.quiet = display == .quiet
        for argument in buildArg {
            let parts = argument.split(separator: "=", maxSplits: 1)
            let name = String(parts[0])
            if parts.count == 2 {
                options.buildArgs[name] = String(parts[1])
            } else if let value = getenv(name) {
                options.buildArgs[name] = String(cString: value)
            }
        }
        for item in label {
            let parts = item.split(separator: "=", maxSplits: 1)
            options.labels[String(parts[0])] = parts.count == 2 ? String(parts[1]) : ""
        }
        if let epoch = getenv("SOURCE_DATE_EPOCH"), let seconds = Int64(String(cString: epoch)) {
            options.sourceDateEpoch = Timestamp(seconds: seconds)
        }
        if check {
            let stages = try Builder.check(options)
            Output.line("Check complete, no warnings found (\(stages.stages.count) stage\(stages.stages.count == 1 ? "" : "s")).")
            return
        }
        let images = try GlobalOptions.imageStore()
        let id = try run(display) { progress in
            try Builder(images: images, monitorPath: GlobalOptions.monitorPath, initPath: GlobalOptions.initPath, options: options,
                        progress: progress).build()
        }
        if let iidfile { try FileSystem.writeAtomically(Array(id.description.utf8), to: iidfile) }
        if options.quiet {
            Output.line(id.description)
        } else {
            // The legacy builder's last lines, which scripts read: the names as Docker shows them (`demo:latest`).
            Output.error("Successfully built \(id.shortHex)")
            for name in tag { Output.error("Successfully tagged \((try? ImageReference(parsing: name))?.familiarName ?? name)") }
        }
    }

    /// Runs `build` with the progress `display` asks for; a terminal display is drawn until the
    /// build ends, its last frame (and a failed RUN's last lines) before any error.
    private func run<Result>(_ display: BuildProgressMode.Display, _ build: (BuildProgress?) throws -> Result) throws -> Result {
        switch display {
        case .quiet:
            return try build(nil)
        case .plain:
            return try build(PlainBuildDisplay.progress)
        case .terminal:
            let terminal = TerminalBuildDisplay()
            terminal.start()
            defer { terminal.finish() }
            return try build(terminal.progress)
        }
    }
}
