import ArgumentParser
import CellFormat

/// A command's flags, options and positional arguments as swift-argument-parser describes them
/// (its tool description, the JSON behind `--experimental-dump-help`): what completing a command
/// line needs to know of it (which words take a value, which positional comes next, what each
/// completes to) without parsing the line, which is incomplete by nature.
struct DeclaredArguments {
    /// What a value completes to, as the argument's declaration says.
    enum ValueKind: Equatable {
        case nothing
        case file
        case directory
        case list([String])
        /// A `CompletionKind.custom` closure, run through the parser's `---completion` request.
        case custom
    }

    struct Named {
        /// `-f`, `--force`.
        var names: [String]
        var takesValue: Bool
        var isVisible: Bool
        var abstract: String
        var value: ValueKind
        /// The name the parser's `---completion` request takes for it.
        var preferredName: String
    }

    struct Positional {
        /// Takes every word from here on, flags too (`run IMAGE [COMMAND] [ARG...]`).
        var takesTheRest: Bool
        var isRepeating: Bool
        var value: ValueKind
    }

    var named: [Named] = []
    var positionals: [Positional] = []

    init(of command: ParsableCommand.Type) {
        // `_dumpHelp()` is the parser's public (if underscored) way to that description; the
        // parser's own completion scripts are generated from the same one. Only this verb's part is
        // described: the whole tree takes a tenth of a second, too long for a TAB.
        guard let tool = try? JSONValue(parsing: command._dumpHelp()),
              let arguments = tool["command"]?["arguments"]?.arrayValue else { return }
        for argument in arguments {
            let value = Self.valueKind(argument["completionKind"])
            let names = (argument["names"]?.arrayValue ?? []).compactMap(Self.spelled)
            switch argument["kind"]?.stringValue {
            case "positional":
                let strategy = argument["parsingStrategy"]?.stringValue ?? "default"
                positionals.append(Positional(takesTheRest: ["allRemainingInput", "postTerminator", "allUnrecognized"].contains(strategy),
                                              isRepeating: argument["isRepeating"]?.boolValue ?? false, value: value))
            case let kind:
                let preferred = argument["preferredName"].flatMap(Self.spelled)
                named.append(Named(names: names, takesValue: kind == "option", isVisible: argument["shouldDisplay"]?.boolValue ?? true,
                                   abstract: argument["abstract"]?.stringValue ?? "", value: value,
                                   preferredName: preferred ?? names.first ?? ""))
            }
        }
        // run's -h is --hostname, as in Docker: the parser gives a declared name precedence over
        // its own help flag, and so does completion.
        let declared = Set(named.filter { $0.preferredName != "--help" }.flatMap(\.names))
        for index in named.indices where named[index].preferredName == "--help" {
            named[index].names.removeAll { declared.contains($0) }
        }
    }

    /// The flag or option a word names (`--force`, `-f`); nil for anything else.
    func argument(named word: String) -> Named? {
        named.first { $0.names.contains(word) }
    }

    /// The positional argument (and its index among them) that the word after `count` positionals
    /// fills, if any.
    func positional(after count: Int) -> (index: Int, argument: Positional)? {
        if count < positionals.count { return (count, positionals[count]) }
        guard let last = positionals.last, last.isRepeating else { return nil }
        return (positionals.count - 1, last)
    }

    /// A name as typed: `--force` for a long one, `-f` (or `-name`, long with a single dash) else.
    private static func spelled(_ name: JSONValue) -> String? {
        guard let text = name["name"]?.stringValue else { return nil }
        return name["kind"]?.stringValue == "long" ? "--\(text)" : "-\(text)"
    }

    private static func valueKind(_ kind: JSONValue?) -> ValueKind {
        guard let kind, let (name, details) = kind.objectValue?.first else { return .nothing }
        switch name {
        case "file": return .file
        case "directory": return .directory
        case "list": return .list((details["values"]?.arrayValue ?? []).compactMap(\.stringValue))
        case "custom", "customAsync": return .custom
        default: return .nothing
        }
    }
}
