import CellCore
import CellFormat
import CellImagefile

/// What a metadata instruction (ENV, LABEL, CMD, ENTRYPOINT, ...) does to an image's runtime
/// config, its words expanded: the one meaning of these instructions, for `build`'s steps and
/// for the `-c` changes of `commit` and `import` alike.
public struct ConfigInstruction {
    /// Where an instruction is read: how its words expand, and the config's state before it.
    public struct Context {
        /// Expands one word (quotes and escapes removed, variables substituted).
        public var expand: (String) throws -> String
        /// Expands a text into the words it makes (EXPOSE's `$PORTS`).
        public var expandWords: (String) throws -> [String]
        /// WORKDIR so far: what a relative WORKDIR is below.
        public var workingDirectory: String
        /// SHELL so far: what shell-form CMD and ENTRYPOINT run through.
        public var shell: [String]
        /// Whether a CMD came before in the same stage (or the same list of changes): an
        /// ENTRYPOINT then keeps it, else clears the inherited one, as Docker's dispatcher does.
        public var commandSetBefore: Bool

        public init(expand: @escaping (String) throws -> String, expandWords: @escaping (String) throws -> [String],
                    workingDirectory: String, shell: [String], commandSetBefore: Bool) {
            self.expand = expand
            self.expandWords = expandWords
            self.workingDirectory = workingDirectory
            self.shell = shell
            self.commandSetBefore = commandSetBefore
        }

        /// The context of a config on its own (`commit -c`, `import -c`): its own variables
        /// expand the words, as Docker expands a change with the image's environment.
        public init(config: ContainerConfig, escapeCharacter: Unicode.Scalar = "\\", commandSetBefore: Bool) {
            let lexer = ShellLexer(escapeCharacter: escapeCharacter)
            var environment: [String: String] = [:]
            for entry in config.env ?? [] {
                let parts = entry.split(separator: "=", maxSplits: 1)
                environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            self.init(expand: { try lexer.processWord($0, environment: environment) },
                      expandWords: { try lexer.processWords($0, environment: environment) },
                      workingDirectory: config.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/",
                      shell: config.shell ?? ["/bin/sh", "-c"], commandSetBefore: commandSetBefore)
        }
    }

    /// The line the image's history shows for it (`ENV A=b`, `CMD ["sh"]`).
    public let description: String
    /// CMD: an ENTRYPOINT after it keeps it.
    public let setsCommand: Bool
    /// MAINTAINER's name: the image's author.
    public let author: String?
    private let change: (inout ContainerConfig) -> Void

    public func apply(to config: inout ContainerConfig) { change(&config) }

    /// Nil for an instruction that is not about the config (FROM, RUN, COPY, ADD, ARG).
    public init?(_ command: Command, in context: Context) throws {
        var setsCommand = false
        var author: String?
        switch command {
        case .env(let pairs):
            let expanded = try pairs.map { ($0.key, try context.expand($0.value)) }
            description = "ENV " + expanded.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            change = { config in
                var env = config.env ?? []
                for (key, value) in expanded {
                    env.removeAll { $0 == key || $0.hasPrefix(key + "=") }
                    env.append("\(key)=\(value)")
                }
                config.env = env
            }
        case .label(let pairs):
            let expanded = try pairs.map { (try context.expand($0.key), try context.expand($0.value)) }
            description = "LABEL " + expanded.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            change = { config in
                var labels = config.labels ?? [:]
                for (key, value) in expanded { labels[key] = value }
                config.labels = labels
            }
        case .workdir(let path):
            let expanded = try context.expand(path)
            let base = context.workingDirectory
            let absolute = expanded.hasPrefix("/") ? expanded : (base == "/" ? "/" : base + "/") + expanded
            description = "WORKDIR \(absolute)"
            change = { $0.workingDir = absolute }
        case .user(let user):
            let expanded = try context.expand(user)
            description = "USER \(expanded)"
            change = { $0.user = expanded }
        case .expose(let ports):
            let expanded = try ports.flatMap(context.expandWords).map { $0.contains("/") ? $0.lowercased() : "\($0)/tcp" }
            description = "EXPOSE " + expanded.joined(separator: " ")
            change = { config in
                var exposed = config.exposedPorts ?? [:]
                for port in expanded { exposed[port] = EmptyObject() }
                config.exposedPorts = exposed
            }
        case .volume(let paths):
            let expanded = try paths.map(context.expand)
            description = "VOLUME " + expanded.joined(separator: " ")
            change = { config in
                var volumes = config.volumes ?? [:]
                for path in expanded { volumes[path] = EmptyObject() }
                config.volumes = volumes
            }
        case .cmd(let form):
            let arguments = ConfigInstruction.arguments(form, shell: context.shell)
            description = "CMD " + JSONValue.compactArray(arguments)
            setsCommand = true
            change = { $0.cmd = arguments }
        case .entrypoint(let form):
            let arguments = ConfigInstruction.arguments(form, shell: context.shell)
            description = "ENTRYPOINT " + JSONValue.compactArray(arguments)
            let keepCommand = context.commandSetBefore
            change = { config in
                config.entrypoint = arguments
                if !keepCommand { config.cmd = nil }
            }
        case .shell(let shell):
            description = "SHELL " + JSONValue.compactArray(shell)
            change = { $0.shell = shell }
        case .stopSignal(let signal):
            let expanded = try context.expand(signal)
            description = "STOPSIGNAL \(expanded)"
            change = { $0.stopSignal = expanded }
        case .healthcheck(let check):
            description = "HEALTHCHECK " + JSONValue.compactArray(check.testArray)
            var healthcheck = Healthcheck(test: check.testArray)
            func nanoseconds(_ duration: Duration?) -> Int64? {
                duration.map { $0.components.seconds * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000 }
            }
            healthcheck.interval = nanoseconds(check.interval)
            healthcheck.timeout = nanoseconds(check.timeout)
            healthcheck.startPeriod = nanoseconds(check.startPeriod)
            healthcheck.retries = check.retries
            change = { $0.healthcheck = healthcheck }
        case .onbuild(let trigger):
            description = "ONBUILD \(trigger)"
            change = { $0.onBuild = ($0.onBuild ?? []) + [trigger] }
        case .maintainer(let name):
            description = "MAINTAINER \(name)"
            author = name
            change = { _ in }
        case .from, .run, .copy, .add, .arg:
            return nil
        }
        self.setsCommand = setsCommand
        self.author = author
    }

    /// CMD and ENTRYPOINT: the exec form as written, the shell form through the SHELL.
    static func arguments(_ form: CommandForm, shell: [String]) -> [String] {
        switch form {
        case .exec(let arguments): return arguments
        case .shell(let text): return shell + [text]
        }
    }
}
