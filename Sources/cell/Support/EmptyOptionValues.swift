/// `--entrypoint=""` reaches us as `--entrypoint=`, which swift-argument-parser reads as a bare
/// `--entrypoint` that takes the next argument (the image) as its value. Docker's documented
/// idiom means "no entrypoint", so the options whose empty value means something in Docker
/// are split into the option and an empty argument, which the parser keeps as "". Scanning
/// stops at `--` or at the first word that is no option's value (the image or the container),
/// so a command's own `--entrypoint=` after the image is left alone.
enum EmptyOptionValues {
    static let options: Set<String> = ["--entrypoint", "--workdir", "--user", "--hostname", "--stop-signal"]

    static func split(_ arguments: [String]) -> [String] {
        let verbs = ["run", "create", "exec"]
        let verb = arguments.first == "container" ? 1 : 0
        guard verb < arguments.count, verbs.contains(arguments[verb]) else { return arguments }
        var result = Array(arguments[...verb])
        var index = verb + 1
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" || !argument.hasPrefix("-") && !(index > 0 && takesValue(arguments[index - 1])) { break }
            if argument.hasSuffix("="), options.contains(String(argument.dropLast())) {
                result += [String(argument.dropLast()), ""]
            } else {
                result.append(argument)
            }
            index += 1
        }
        return result + arguments[index...]
    }

    /// The flags of run, create and exec that take no value (and bundles of the short ones, -dit).
    static let flags: Set<String> = ["--rm", "--init", "--privileged", "--read-only", "--publish-all", "--detach",
                                     "--interactive", "--tty", "--oom-kill-disable", "--help", "--sig-proxy", "--no-healthcheck",
                                     "--no-sig-proxy"]

    /// Whether a word is an option that takes the next argument as its value.
    static func takesValue(_ argument: String) -> Bool {
        guard argument.hasPrefix("-"), argument != "-", !argument.contains("="), !flags.contains(argument) else { return false }
        if !argument.hasPrefix("--") && argument.dropFirst().allSatisfy({ "ditP".contains($0) }) { return false }
        return true
    }
}
