import CellCore

/// Docker's boolean flags take a value too: `--sig-proxy=false` is the documented way to turn
/// that one off, and scripts write `--rm=true` or `-d=false`. swift-argument-parser's flags
/// take none, so such a word is rewritten before parsing: true to the bare flag, false to
/// nothing (or `--no-NAME` for a flag that is on by default). Values are Go's
/// (`strconv.ParseBool`); any other value is left for the parser to refuse. As with
/// `EmptyOptionValues`, scanning stops at `--`, and for run, create and exec at the image or
/// container, so that the container's own command line is never touched.
enum BooleanFlagValues {
    /// The boolean flags of cell's verbs, by their long names.
    static let flags: Set<String> = EmptyOptionValues.flags.union([
        "--sig-proxy", "--all", "--quiet", "--no-trunc", "--force", "--follow", "--timestamps", "--size",
        "--digests", "--no-stdin", "--latest", "--no-cache", "--no-stream", "--archive", "--follow-link",
        "--volumes", "--pause", "--squash",
    ])
    /// Flags that are on unless turned off.
    static let onByDefault: Set<String> = ["--sig-proxy"]
    /// Short boolean flags whose letter means the same in every verb that has it.
    static let shortFlags: Set<String> = ["-d", "-i", "-t", "-P"]

    /// Boolean in one verb only: `build --pull` (run's `--pull` takes a policy).
    static let buildFlags: Set<String> = ["--pull"]

    static func rewrite(_ arguments: [String]) -> [String] {
        let verb = ["container", "image"].contains(arguments.first ?? "") ? 1 : 0
        let stopsAtPositional = verb < arguments.count && ["run", "create", "exec"].contains(arguments[verb])
        let building = verb < arguments.count && arguments[verb] == "build"
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { break }
            if stopsAtPositional && index > verb && !argument.hasPrefix("-")
                && !EmptyOptionValues.takesValue(arguments[index - 1]) { break }
            result += rewritten(argument, extraFlags: building ? buildFlags : [])
            index += 1
        }
        return result + arguments[index...]
    }

    private static func rewritten(_ argument: String, extraFlags: Set<String>) -> [String] {
        guard let equals = argument.firstIndex(of: "=") else { return [argument] }
        let name = String(argument[..<equals])
        guard flags.contains(name) || shortFlags.contains(name) || extraFlags.contains(name),
              let value = GoBool.parse(argument[argument.index(after: equals)...]) else { return [argument] }
        if value { return [name] }
        return onByDefault.contains(name) ? ["--no-" + name.dropFirst(2)] : []
    }
}
