import ArgumentParser

/// The Docker CLI's answers to command-line mistakes, as docker 28 prints them (cobra's shapes),
/// with `cell` in place of `docker`: an unknown command, an unknown flag, too few or too many
/// arguments. Scripts and users match on these lines and exit statuses.
enum CommandLineMistakes {
    /// How many arguments a command takes, as the Docker CLI checks it.
    enum Arity {
        case none
        case exactly(Int)
        case atLeast(Int)
        case atMost(Int)
        case between(Int, Int)
        /// None, and any word is answered as an unknown command (cobra's own NoArgs, which
        /// `completion bash` has).
        case unknownCommandForAny
    }

    struct Usage {
        /// What follows the command's path in Docker's usage line.
        var tail: String
        var arity: Arity
    }

    /// Docker's usage lines and arities, by the command's canonical path.
    static let usages: [String: Usage] = {
        let containers = Usage(tail: "[OPTIONS] CONTAINER [CONTAINER...]", arity: .atLeast(1))
        let runLike = Usage(tail: "[OPTIONS] IMAGE [COMMAND] [ARG...]", arity: .atLeast(1))
        let options = Usage(tail: "[OPTIONS]", arity: .none)
        var table: [String: Usage] = [
            "run": runLike, "create": runLike, "ps": options,
            "logs": Usage(tail: "[OPTIONS] CONTAINER", arity: .exactly(1)),
            "start": containers, "stop": containers, "restart": containers, "kill": containers, "rm": containers,
            "update": containers, "pause": containers, "unpause": containers,
            "wait": Usage(tail: "CONTAINER [CONTAINER...]", arity: .atLeast(1)),
            "port": Usage(tail: "CONTAINER [PRIVATE_PORT[/PROTO]]", arity: .between(1, 2)),
            "exec": Usage(tail: "[OPTIONS] CONTAINER COMMAND [ARG...]", arity: .atLeast(2)),
            "attach": Usage(tail: "[OPTIONS] CONTAINER", arity: .exactly(1)),
            "cp": Usage(tail: "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tcell cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
                        arity: .exactly(2)),
            "top": Usage(tail: "CONTAINER [ps OPTIONS]", arity: .atLeast(1)),
            "commit": Usage(tail: "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]", arity: .between(1, 2)),
            "stats": Usage(tail: "[OPTIONS] [CONTAINER...]", arity: .atLeast(0)),
            "inspect": Usage(tail: "[OPTIONS] NAME|ID [NAME|ID...]", arity: .atLeast(1)),
            "images": Usage(tail: "[OPTIONS] [REPOSITORY[:TAG]]", arity: .atMost(1)),
            "import": Usage(tail: "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]", arity: .atLeast(1)),
            "tag": Usage(tail: "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", arity: .exactly(2)),
            "pull": Usage(tail: "[OPTIONS] NAME[:TAG|@DIGEST]", arity: .exactly(1)),
            "push": Usage(tail: "[OPTIONS] NAME[:TAG] [DESTINATION]", arity: .between(1, 2)),
            "search": Usage(tail: "[OPTIONS] TERM", arity: .exactly(1)),
            "events": options, "system events": options,
            "volume create": Usage(tail: "[OPTIONS] [VOLUME]", arity: .atMost(1)),
            "volume ls": options, "volume prune": options,
            "volume inspect": Usage(tail: "[OPTIONS] VOLUME [VOLUME...]", arity: .atLeast(1)),
            "volume rm": Usage(tail: "[OPTIONS] VOLUME [VOLUME...]", arity: .atLeast(1)),
            "login": Usage(tail: "[OPTIONS] [SERVER]", arity: .atMost(1)),
            "logout": Usage(tail: "[SERVER]", arity: .atMost(1)),
            "rmi": Usage(tail: "[OPTIONS] IMAGE [IMAGE...]", arity: .atLeast(1)),
            "history": Usage(tail: "[OPTIONS] IMAGE", arity: .exactly(1)),
            "save": Usage(tail: "[OPTIONS] IMAGE [IMAGE...]", arity: .atLeast(1)),
            "load": options, "version": options,
            "build": Usage(tail: "[OPTIONS] PATH | URL | -", arity: .exactly(1)),
            "container prune": options, "image prune": options,
            "rename": Usage(tail: "CONTAINER NEW_NAME", arity: .exactly(2)),
            "diff": Usage(tail: "CONTAINER", arity: .exactly(1)),
            "export": Usage(tail: "[OPTIONS] CONTAINER", arity: .exactly(1)),
            "info": options, "system info": options, "system df": options, "system prune": options,
            "container inspect": Usage(tail: "[OPTIONS] CONTAINER [CONTAINER...]", arity: .atLeast(1)),
            "image inspect": Usage(tail: "[OPTIONS] IMAGE [IMAGE...]", arity: .atLeast(1)),
            "completion": Usage(tail: "", arity: .none),
        ]
        // cobra's own words: "[flags]" for the two whose --no-descriptions it shows.
        for (shell, tail) in [("bash", ""), ("zsh", "[flags]"), ("fish", "[flags]")] {
            table["completion \(shell)"] = Usage(tail: tail, arity: .unknownCommandForAny)
        }
        // `cell container VERB` takes what `cell VERB` takes; the image group likewise.
        for verb in ["run", "create", "logs", "start", "stop", "restart", "kill", "rm", "update", "wait", "port", "exec",
                     "attach", "cp", "top", "commit", "stats", "rename", "diff", "export", "pause", "unpause"] {
            table["container \(verb)"] = table[verb]
        }
        table["container ls"] = table["ps"]
        for (verb, base) in [("ls", "images"), ("rm", "rmi"), ("history", "history"), ("save", "save"), ("load", "load"),
                             ("import", "import"), ("tag", "tag"), ("build", "build"), ("pull", "pull"), ("push", "push")] {
            table["image \(verb)"] = table[base]
        }
        return table
    }()

    /// Other names of a command, by the name Docker prints in its messages.
    static let canonicalPaths = ["container list": "container ls", "container ps": "container ls", "image list": "image ls",
                                 "image remove": "image rm", "volume list": "volume ls", "volume remove": "volume rm"]

    /// The verbs that group others (`cell container ls`). An array: a Set's first use costs
    /// every command a scan of the binary's protocol conformances.
    static let groups = ["container", "image", "system", "completion", "volume"]

    /// Docker's usage line of a command: `Usage:  cell rm [OPTIONS] CONTAINER [CONTAINER...]`.
    static func usageLine(_ path: String, _ usage: Usage) -> String {
        usage.tail.isEmpty ? "Usage:  cell \(path)" : "Usage:  cell \(path) \(usage.tail)"
    }

    /// The command's path in `arguments` (global options already taken off): one or two words.
    static func commandPath(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        guard groups.contains(first), arguments.count > 1, !arguments[1].hasPrefix("-") else { return first }
        let path = "\(first) \(arguments[1])"
        return canonicalPaths[path] ?? path
    }

    /// The text and exit status Docker gives a parse error of swift-argument-parser (its `message`)
    /// for `arguments`; nil when it is none of these shapes. The text goes to stderr, but for status
    /// 0: that is help, for stdout.
    static func answer(to message: String, arguments: [String], knownVerbs: Set<String>) -> (text: String, status: Int32)? {
        guard let path = commandPath(arguments) else { return nil }
        if !knownVerbs.contains(arguments[0]) {
            return ("cell: unknown command: cell \(path)\n\nRun 'cell --help' for more information", 1)
        }
        // cobra's `completion` takes any word for a shell it has no script for, and shows its help.
        if arguments[0] == "completion" && message.lowercased().contains("unexpected argument") && usages[path] == nil {
            return (CellCommand.helpMessage(for: CompletionCommand.self), 0)
        }
        if groups.contains(arguments[0]) && message.lowercased().contains("unexpected argument") && usages[path] == nil {
            let group = arguments[0]
            return ("cell: unknown command: cell \(path)\n\nUsage:  cell \(group)\n\nRun 'cell \(group) --help' for more information", 1)
        }
        guard let usage = usages[path] else { return nil }
        let usageLine = usageLine(path, usage)
        if message.hasPrefix("Unknown option '") {
            let option = String(message.dropFirst("Unknown option '".count).prefix { $0 != "'" })
            let what = option.hasPrefix("--") ? "unknown flag: \(option)"
                : "unknown shorthand flag: '\(option.dropFirst().prefix(1))' in \(option)"
            return ("\(what)\n\n\(usageLine)\n\nRun 'cell \(path) --help' for more information", 125)
        }
        let tooFew = message.hasPrefix("Missing expected argument") || message.contains(" requires at least ")
        guard tooFew || message.lowercased().contains("unexpected argument") else { return nil }
        if case .unknownCommandForAny = usage.arity, let word = quoted(in: message) {
            return ("unknown command \"\(word)\" for \"cell \(path)\"", 1)
        }
        let (requirement, closing) = describe(usage.arity)
        return ("cell: 'cell \(path)' \(requirement)\n\n\(usageLine)\n\n\(closing) 'cell \(path) --help' for more information", 1)
    }

    /// Docker's wording of an arity, and the verb of its last line ("See" for a minimum only).
    static func describe(_ arity: Arity) -> (String, String) {
        func arguments(_ count: Int) -> String { count == 1 ? "argument" : "arguments" }
        switch arity {
        case .none: return ("accepts no arguments", "Run")
        case .exactly(let count): return ("requires \(count) \(arguments(count))", "Run")
        case .atLeast(let count): return ("requires at least \(count) \(arguments(count))", "See")
        case .atMost(let count): return ("requires at most \(count) \(arguments(count))", "Run")
        case .between(let low, let high): return ("requires at least \(low) and at most \(high) arguments", "Run")
        case .unknownCommandForAny: return ("accepts no arguments", "Run")
        }
    }

    /// The first word the parser quoted in its message (`Unexpected argument 'zsh'`).
    static func quoted(in message: String) -> String? {
        guard let open = message.firstIndex(of: "'") else { return nil }
        let rest = message[message.index(after: open)...]
        guard let close = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<close])
    }
}
