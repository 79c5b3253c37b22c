/// Docker's short options take their value in the same word, and a bundle of short flags may
/// end with one that takes the rest: `stop -t0`, `logs -n5`, `run -dp8080:80`, `run -m512m`.
/// swift-argument-parser reads such a word as a bundle of flags, so it is split first, as
/// pflag reads it: flags in turn, then the first letter that takes a value gets the rest of
/// the word (or, if nothing is left, the next argument as usual). A word with a letter the
/// verb does not know is left alone for the parser to refuse. Scanning stops as in
/// `EmptyOptionValues`, so that a container's own command line is never touched; for `run`,
/// `create` and `exec` it stops at the image (the container) and puts a `--` before it, so that
/// the parser leaves that command line alone too (the other rewriters stop at the `--`).
enum ShortOptionValues {
    /// Per verb (its canonical path), the short options that take a value and those that do not.
    struct Letters {
        var values: Set<Character>
        var flags: Set<Character> = []
    }

    static let verbs: [String: Letters] = {
        let container = Letters(values: ["e", "h", "l", "p", "u", "v", "w", "c", "m"], flags: ["i", "t", "P"])
        var run = container
        run.values.insert("a")
        run.flags.insert("d")
        let stop = Letters(values: ["t", "s"])
        let ps = Letters(values: ["f", "n"], flags: ["a", "l", "q", "s"])
        let images = Letters(values: ["f"], flags: ["a", "q"])
        let rm = Letters(values: [], flags: ["f", "l", "v"])
        let rmi = Letters(values: [], flags: ["f"])
        let inspect = Letters(values: ["f"], flags: ["s"])
        let prune = Letters(values: [], flags: ["a", "f"])
        let table: [(Letters, [String])] = [
            (run, ["run", "container run"]),
            (container, ["create", "container create"]),
            (Letters(values: ["e", "u", "w"], flags: ["d", "i", "t"]), ["exec", "container exec"]),
            (stop, ["stop", "restart", "container stop", "container restart"]),
            (Letters(values: ["s"]), ["kill", "container kill"]),
            (rm, ["rm", "container rm"]),
            (Letters(values: [], flags: ["a", "i"]), ["start", "container start"]),
            (Letters(values: ["n"], flags: ["f", "t"]), ["logs", "container logs"]),
            (ps, ["ps", "container ls"]),
            (Letters(values: [], flags: ["a"]), ["stats", "container stats"]),
            (Letters(values: ["a", "c", "m"], flags: ["p"]), ["commit", "container commit"]),
            (Letters(values: [], flags: ["L", "a", "q"]), ["cp", "container cp"]),
            (Letters(values: ["o"]), ["export", "container export", "save", "image save"]),
            (Letters(values: ["f", "t"], flags: ["q"]), ["build", "image build"]),
            (images, ["images", "image ls"]),
            (inspect, ["inspect", "container inspect", "image inspect"]),
            (Letters(values: [], flags: ["H", "q"]), ["history", "image history"]),
            (rmi, ["rmi", "image rm"]),
            (Letters(values: ["c", "m"]), ["import", "image import"]),
            (Letters(values: ["i"], flags: ["q"]), ["load", "image load"]),
            (Letters(values: ["f"]), ["info", "system info", "version"]),
            (Letters(values: [], flags: ["v"]), ["system df"]),
            (prune, ["system prune", "image prune", "container prune"]),
            (Letters(values: ["c", "i", "o"]), ["test"]),
            (Letters(values: [], flags: ["a", "q"]), ["pull", "image pull", "push", "image push"]),
            (Letters(values: ["f"]), ["search", "events", "system events"]),
        ]
        var verbs: [String: Letters] = [:]
        for (letters, paths) in table { for path in paths { verbs[path] = letters } }
        return verbs
    }()

    static func split(_ arguments: [String]) -> [String] {
        guard let path = CommandLineMistakes.commandPath(arguments), let letters = verbs[path] else { return arguments }
        let verbEnd = path.contains(" ") ? 2 : 1
        let stopsAtPositional = ["run", "create", "exec"].contains(path.split(separator: " ").last.map(String.init) ?? "")
        var result = Array(arguments.prefix(verbEnd))
        var index = verbEnd
        var valueNext = false
        while index < arguments.count {
            let argument = arguments[index]
            if valueNext {
                // The value of the option before it is never split (`-e -x=1` is a value).
                result.append(argument)
                valueNext = false
            } else {
                if argument == "--" { break }
                if stopsAtPositional && (!argument.hasPrefix("-") || argument == "-") {
                    // The image (the container): every word from here on is the container's
                    // command, which Docker passes on as it is, while swift-argument-parser would
                    // still read it (`echo ---` an invalid option, `--help` its help). A `--`
                    // before it, and the parser reads none of them.
                    result.append("--")
                    break
                }
                let words = splitWord(argument, letters) ?? [argument]
                result += words
                valueNext = takesNextArgument(words[words.count - 1], letters)
            }
            index += 1
        }
        return result + arguments[index...]
    }

    /// Whether `word`, an option with no value in it, takes the next argument as its value.
    private static func takesNextArgument(_ word: String, _ letters: Letters) -> Bool {
        if word.hasPrefix("--") { return !word.contains("=") && !BooleanFlagValues.flags.contains(word) && word != "--no-sig-proxy" }
        guard word.hasPrefix("-"), word.count == 2, let letter = word.last else { return false }
        return letters.values.contains(letter)
    }

    /// `-t0` → `-t 0`, `-dp80:80` → `-d -p 80:80`; nil when the word is no such bundle.
    static func splitWord(_ word: String, _ letters: Letters) -> [String]? {
        guard word.hasPrefix("-"), !word.hasPrefix("--"), word.count > 2 else { return nil }
        let body = Array(word.dropFirst())
        for (offset, letter) in body.enumerated() {
            if letters.flags.contains(letter) { continue }
            guard letters.values.contains(letter) else { return nil }
            let rest = String(body[(offset + 1)...])
            guard !rest.isEmpty else { return nil }
            let bundle = body[..<offset].map { "-\($0)" }
            return bundle + ["-\(letter)", rest]
        }
        return nil
    }
}
