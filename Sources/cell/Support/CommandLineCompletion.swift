import ArgumentParser

/// `cell __complete WORD...`: what the word being completed can be, for the scripts of
/// `cell completion` (the way Docker's scripts ask `docker __complete`). The words are those after
/// `cell` on the line up to the cursor, the last one the word being completed ("" after a blank).
///
/// It answers one candidate a line (`candidate<TAB>description` where there is one), then one
/// directive line: `:` (these candidates only), `:file` or `:directory` (the shell completes a
/// path itself). Verbs and flags come from the commands' declarations, names from the
/// `CompletionKind.custom` closures their arguments declare (`NameCompletion`). Nothing is
/// printed on stderr: a TAB must never spill an error into the user's line.
enum CommandLineCompletion {
    enum Directive: String {
        case candidates = ":"
        case file = ":file"
        case directory = ":directory"
    }

    struct Answer {
        var candidates: [(String, String)] = []
        var directive = Directive.candidates
    }

    static func run(_ words: [String]) -> Int32 {
        let answer = answer(words)
        for (candidate, description) in answer.candidates {
            Output.line(description.isEmpty ? candidate : "\(candidate)\t\(description)")
        }
        Output.line(answer.directive.rawValue)
        return 0
    }

    static func answer(_ words: [String]) -> Answer {
        let current = words.last ?? ""
        var rest = words.dropLast()[...]

        // Global options, before the verb (GlobalOptions takes them off the same way).
        while let word = rest.first, word.hasPrefix("-") {
            if word == "--root" {
                guard rest.count > 1 else { return Answer(directive: .directory) }
                rest = rest.dropFirst(2)
            } else if word.hasPrefix("--root=") || word == "-D" || word == "--debug" {
                rest = rest.dropFirst()
            } else {
                return Answer()
            }
        }

        // The verb, and the verb of a group (`container rm`).
        var command: ParsableCommand.Type = CellCommand.self
        var path: [String] = []
        while !command.configuration.subcommands.isEmpty, let word = rest.first {
            guard let subcommand = command.configuration.subcommands.first(where: {
                $0._commandName == word || $0.configuration.aliases.contains(word)
            }) else { return Answer() }
            command = subcommand
            path.append(subcommand._commandName)
            rest = rest.dropFirst()
        }
        if !command.configuration.subcommands.isEmpty {
            if current.hasPrefix("-") {
                let flags = path.isEmpty ? [("--root", "Keep images and containers in DIR."), ("--help", ""), ("--version", "")]
                    : [("--help", "")]
                return Answer(candidates: flags)
            }
            let verbs = command.configuration.subcommands.filter { $0.configuration.shouldDisplay }
            return Answer(candidates: verbs.map { ($0._commandName, $0.configuration.abstract) })
        }

        // The verb's own words: which option waits for its value, how many positionals came.
        let declared = DeclaredArguments(of: command)
        var positionals = 0
        var waiting: DeclaredArguments.Named?
        var terminated = false
        for word in rest {
            if waiting != nil {
                waiting = nil
            } else if terminated || !word.hasPrefix("-") || word == "-" {
                positionals += 1
                // The rest of the line is the container's command (run IMAGE COMMAND...), flags too.
                if declared.positional(after: positionals)?.argument.takesTheRest == true { return Answer() }
            } else if word == "--" {
                terminated = true
            } else if word.hasPrefix("--") {
                if !word.contains("="), let option = declared.argument(named: word), option.takesValue { waiting = option }
            } else {
                // -it, -eNAME=x: the first short option that takes a value takes the rest of the word, or the next word.
                for (offset, letter) in word.dropFirst().enumerated() {
                    guard let option = declared.argument(named: "-\(letter)"), option.takesValue else { continue }
                    if offset == word.count - 2 { waiting = option }
                    break
                }
            }
        }

        let line = ["cell"] + words
        if let option = waiting {
            return complete(option.value, path: path, argument: option.preferredName, line: line)
        }
        if !terminated && current.hasPrefix("-") {
            guard !current.contains("=") else { return Answer() }
            let flags = declared.named.filter(\.isVisible).flatMap { option in option.names.map { ($0, option.abstract) } }
            return Answer(candidates: flags)
        }
        guard let (index, positional) = declared.positional(after: positionals), !positional.takesTheRest else { return Answer() }
        return complete(positional.value, path: path, argument: "positional@\(index)", line: line)
    }

    /// The candidates for a value of one argument; `argument` names it for the parser's
    /// `---completion` request (`--image`, `positional@0`).
    static func complete(_ kind: DeclaredArguments.ValueKind, path: [String], argument: String, line: [String]) -> Answer {
        switch kind {
        case .nothing: return Answer()
        case .file: return Answer(directive: .file)
        case .directory: return Answer(directive: .directory)
        case .list(let values): return Answer(candidates: values.map { ($0, "") })
        case .custom:
            // The parser runs the argument's closure and answers with a "clean exit" carrying the
            // candidates, one a line; anything else (a request it cannot place) is no candidates.
            let current = line.last ?? ""
            let request = ["---completion"] + path + ["--", argument, String(line.count - 1), String(current.count)] + line
            do {
                _ = try CellCommand.parseAsRoot(request)
                return Answer()
            } catch {
                guard CellCommand.exitCode(for: error) == .success else { return Answer() }
                let output = CellCommand.fullMessage(for: error)
                return Answer(candidates: output.split(separator: "\n").map { (String($0), "") })
            }
        }
    }
}
