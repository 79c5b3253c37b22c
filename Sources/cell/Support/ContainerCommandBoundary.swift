/// `run`, `create` and `exec` end their own flags at the first positional word (the image, the
/// container): every word after it is the container's command, which Docker passes on as it is.
/// swift-argument-parser still reads those words (`echo ---` is an invalid option to it, a
/// `--generate-completion-script` prints a script, `--help` its help): a `--` goes before the
/// positional word, so that it reads none of them. Runs after the other rewriters
/// (`ShortOptionValues` first: `-dp80:80` is `-d -p 80:80` by then).
enum ContainerCommandBoundary {
    static func mark(_ arguments: [String]) -> [String] {
        guard let path = CommandLineMistakes.commandPath(arguments),
              ["run", "create", "exec"].contains(path.split(separator: " ").last.map(String.init) ?? ""),
              let letters = ShortOptionValues.verbs[path] else { return arguments }
        var index = path.contains(" ") ? 2 : 1
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" { return arguments }
            if !word.hasPrefix("-") || word == "-" {
                return Array(arguments[..<index]) + ["--"] + arguments[index...]
            }
            index += ShortOptionValues.takesNextArgument(word, letters) ? 2 : 1
        }
        return arguments
    }
}
