/// One instruction as written, after line continuations, comments and heredocs are resolved but
/// before any meaning is given to it: BuildKit's parser `Node`. `Command` is the typed view.
public struct Instruction: Sendable, Equatable {
    /// The keyword as written (`RUN`, `run`, `Run`); `name` is its lower-cased form.
    public var keyword: String
    /// Leading `--flag[=value]` words, quotes removed (`--from=build`, `--link`).
    public var flags: [String]
    /// The arguments as Docker's parser splits them: one shell-form string for RUN/CMD/ENTRYPOINT/SHELL,
    /// the JSON elements for the exec form, whitespace-separated words for COPY/ADD/VOLUME/EXPOSE/FROM,
    /// (key, value, "=" or "") triples for ENV/LABEL, one word per ARG, (type, command...) for HEALTHCHECK.
    public var arguments: [String]
    /// Whether the arguments came from a JSON array (the exec form).
    public var isJSON: Bool
    /// Here-documents read after the line, in the order their openers appear.
    public var heredocs: [Heredoc]
    /// The logical line (continuations joined, escape characters and comments removed).
    public var original: String
    /// First and last physical line (1-based), heredoc bodies included.
    public var startLine: Int
    public var endLine: Int
    /// Comment lines directly above the instruction (used for ARG/FROM descriptions).
    public var comments: [String]
    // An array so the struct can hold itself: ONBUILD's trigger.
    private var triggers: [Instruction]

    public init(
        keyword: String, flags: [String] = [], arguments: [String] = [], isJSON: Bool = false,
        trigger: Instruction? = nil, heredocs: [Heredoc] = [], original: String = "",
        startLine: Int = 0, endLine: Int = 0, comments: [String] = []
    ) {
        self.keyword = keyword
        self.flags = flags
        self.arguments = arguments
        self.isJSON = isJSON
        self.triggers = trigger.map { [$0] } ?? []
        self.heredocs = heredocs
        self.original = original
        self.startLine = startLine
        self.endLine = endLine
        self.comments = comments
    }

    /// The lower-cased keyword (`run`).
    public var name: String { keyword.lowercased() }

    /// The instruction ONBUILD registers (`ONBUILD RUN x` → the `RUN x` instruction).
    public var trigger: Instruction? {
        get { triggers.first }
        set { triggers = newValue.map { [$0] } ?? [] }
    }

    /// BuildKit's S-expression for this instruction without the outer parentheses,
    /// e.g. `copy ["--from=a"] "x" "/y"` or `onbuild (run "echo" "test")`.
    public func dump() -> String {
        var out = name
        if !flags.isEmpty {
            out += " [" + flags.map(GoText.quote).joined(separator: " ") + "]"
        }
        if let trigger {
            out += " (" + trigger.dump() + ")"
        }
        for argument in arguments {
            out += " " + GoText.quote(argument)
        }
        return out
    }
}
