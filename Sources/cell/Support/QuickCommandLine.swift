#if canImport(Glibc)
import Glibc
#endif
import CellContainers
import CellCore

/// The usual command lines of `run`, `create` and `exec`, read without ArgumentParser.
///
/// ArgumentParser learns a command's options by reflecting on its type at every start: for run's
/// hundred options that costs 2 to 3 ms (CELL_TRACE's "arguments parsed"), more than the store's
/// share of the whole command. The flags below, in the forms people type them, are read here;
/// anything else (another flag, a flag given twice, a value that looks like a flag, no image,
/// `--`, help) returns nil and goes to ArgumentParser, so every message and check stays its
/// own. With `CELL_QUICK_PARSE=0` everything goes there: the integration tests compare the
/// containers made each way.
enum QuickCommandLine {
    enum Command {
        case run(RunOptions, detach: Bool)
        case create(RunOptions)
        case exec(container: String, ExecOptions)
    }

    static let switchVariable = "CELL_QUICK_PARSE"

    /// `arguments` start with the verb, global options already taken off (main.swift), and are
    /// as typed: the rewriting for ArgumentParser (ShortOptionValues and the like) changes only
    /// words read here as reasons to leave (`-dp80:80`, `-eX`, `--rm=true`, `--name=`).
    static func parse(_ arguments: [String]) -> Command? {
        guard let verb = arguments.first, verb == "run" || verb == "create" || verb == "exec" else { return nil }
        if let value = getenv(switchVariable), String(cString: value) == "0" { return nil }
        var words = Words(arguments.dropFirst())
        switch verb {
        case "exec": return parseExec(&words)
        default: return parseRun(&words, detachAllowed: verb == "run")
        }
    }

    /// What a flag does to the line: closures, not key paths, whose first use in a process
    /// costs the runtime a demangling of their types (80 µs of every `run`).
    private enum Flag<Line> {
        /// Sets it; false when it was set already.
        case on((inout Line) -> Bool)
        /// Sets it to the value; false when it was set already.
        case value((inout Line, String) -> Bool)
        case list((inout Line, String) -> Void)
    }

    private static func once(_ flag: inout Bool) -> Bool {
        if flag { return false }
        flag = true
        return true
    }

    private static func once(_ field: inout String?, _ value: String) -> Bool {
        if field != nil { return false }
        field = value
        return true
    }

    /// run's and create's command line; network and entrypoint become RunOptions' at the end.
    private struct RunLine {
        var options = RunOptions(image: "")
        var detach = false
        var network: String?
        var entrypoint: String?
    }

    private static func runFlag(_ name: String, detachAllowed: Bool) -> Flag<RunLine>? {
        switch name {
        case "--rm": .on { once(&$0.options.autoRemove) }
        case "-i", "--interactive": .on { once(&$0.options.interactive) }
        case "-t", "--tty": .on { once(&$0.options.tty) }
        case "-P", "--publish-all": .on { once(&$0.options.publishAll) }
        case "--init": .on { once(&$0.options.initProcess) }
        case "--read-only": .on { once(&$0.options.readOnly) }
        case "--privileged": .on { once(&$0.options.privileged) }
        case "-d", "--detach": detachAllowed ? .on { once(&$0.detach) } : nil
        case "--name": .value { once(&$0.options.name, $1) }
        case "-w", "--workdir": .value { once(&$0.options.workingDirectory, $1) }
        case "-u", "--user": .value { once(&$0.options.user, $1) }
        case "-h", "--hostname": .value { once(&$0.options.hostname, $1) }
        case "--network", "--net": .value { once(&$0.network, $1) }
        case "--entrypoint": .value { once(&$0.entrypoint, $1) }
        case "-e", "--env": .list { $0.options.environment.append($1) }
        case "-v", "--volume": .list { $0.options.volumes.append($1) }
        case "-p", "--publish": .list { $0.options.publish.append($1) }
        case "-l", "--label": .list { $0.options.labels.append($1) }
        default: nil
        }
    }

    private static func execFlag(_ name: String) -> Flag<ExecOptions>? {
        switch name {
        case "-d", "--detach": .on { once(&$0.detach) }
        case "-i", "--interactive": .on { once(&$0.interactive) }
        case "-t", "--tty": .on { once(&$0.tty) }
        case "--privileged": .on { once(&$0.privileged) }
        case "-u", "--user": .value { once(&$0.user, $1) }
        case "-w", "--workdir": .value { once(&$0.workingDirectory, $1) }
        case "-e", "--env": .list { $0.environment.append($1) }
        default: nil
        }
    }

    private static func parseRun(_ words: inout Words, detachAllowed: Bool) -> Command? {
        var line = RunLine()
        guard words.readFlags(into: &line, { runFlag($0, detachAllowed: detachAllowed) }),
              let image = words.positional() else { return nil }
        var options = line.options
        options.image = image
        options.command = words.rest()
        guard !options.command.contains("--") else { return nil }
        if let network = line.network { options.network = network }
        options.entrypoint = line.entrypoint.map { [$0] }
        options.limits = ContainerFlags.limits(ResourceLimits())
        return detachAllowed ? .run(options, detach: line.detach) : .create(options)
    }

    private static func parseExec(_ words: inout Words) -> Command? {
        var options = ExecOptions(arguments: [])
        guard words.readFlags(into: &options, execFlag), let container = words.positional() else { return nil }
        options.arguments = words.rest()
        guard !options.arguments.isEmpty, !options.arguments.contains("--") else { return nil }
        return .exec(container: container, options)
    }

    /// The words after the verb, read front to back.
    private struct Words {
        private let words: [String]
        private var index = 0

        init(_ words: ArraySlice<String>) { self.words = Array(words) }

        /// Reads the flags before the first positional word into `line`; false at anything
        /// `flag` does not know, a flag given twice, or a value ArgumentParser should judge.
        mutating func readFlags<Line>(into line: inout Line, _ flag: (String) -> Flag<Line>?) -> Bool {
            while let (word, inlineValue) = nextFlag() {
                // `-it` is `-i -t`; a bundle with a value in it (`-dp80:80`) is ShortOptionValues'.
                let names = word.hasPrefix("--") || word.count == 2 ? [word] : word.dropFirst().map { "-" + String($0) }
                for name in names {
                    guard let flag = flag(name) else { return false }
                    switch flag {
                    case .on(let set):
                        guard inlineValue == nil, set(&line) else { return false }
                    case .value(let set):
                        guard names.count == 1, let value = value(inline: inlineValue), set(&line, value) else { return false }
                    case .list(let append):
                        guard names.count == 1, let value = value(inline: inlineValue) else { return false }
                        append(&line, value)
                    }
                }
            }
            return true
        }

        /// The next word when it is a flag (`-x`, `-xyz`, `--long`, `--long=value`), split at '='.
        private mutating func nextFlag() -> (String, String?)? {
            guard index < words.count else { return nil }
            let word = words[index]
            guard word.count > 1, word.hasPrefix("-"), word != "--" else { return nil }
            index += 1
            if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
                return (String(word[..<equals]), String(word[word.index(after: equals)...]))
            }
            return (word, nil)
        }

        /// An option's value: after '=', or the next word. Empty values and values that look
        /// like flags are left to ArgumentParser's rules.
        private mutating func value(inline: String?) -> String? {
            let value: String
            if let inline {
                value = inline
            } else {
                guard index < words.count else { return nil }
                value = words[index]
                index += 1
            }
            guard !value.isEmpty, !value.hasPrefix("-") else { return nil }
            return value
        }

        mutating func positional() -> String? {
            guard index < words.count, !words[index].isEmpty, !words[index].hasPrefix("-") else { return nil }
            index += 1
            return words[index - 1]
        }

        func rest() -> [String] { Array(words[index...]) }
    }
}

extension QuickCommandLine.Command {
    /// What the ParsableCommand's run() would do with the same command line.
    func run() throws {
        switch self {
        case .run(let options, let detach):
            try RunCommand.run(options, detach: detach, attachment: RunCommand.attachment(),
                               create: { try ContainerFlags.create($0, with: $1) })
        case .create(let options):
            Output.line(try ContainerFlags.create(options, with: GlobalOptions.runner()).id)
        case .exec(let container, let options):
            try ExecCommand.run(container, options)
        }
    }
}
