/// One step of a build as its progress shows it: `[5/6] RUN make`.
public struct BuildStep: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// FROM: the stage's base (an image or an earlier stage).
        case from
        /// ARG: a variable for the steps after it.
        case argument
        /// ENV, LABEL, CMD and the rest: a new config, no layer.
        case metadata
        /// RUN: a command in a container, whose changes become a layer.
        case run
        /// COPY and ADD: files from the context or a stage, as a layer.
        case copy
        /// The final image written to the store and named: BuildKit's "exporting to image".
        case export
    }

    /// Unique within a build (an ONBUILD trigger shares its FROM's number, not this).
    public var id: Int
    /// 1-based across the stages the target needs; the export step is numbered after them.
    public var number: Int
    public var total: Int
    public var kind: Kind
    /// The instruction as the build runs it, after expansion (`RUN make`, `COPY . /app`); a
    /// heredoc's lines included.
    public var instruction: String
    /// An ONBUILD trigger of the base image, run as part of the FROM step.
    public var isTrigger = false

    public init(id: Int, number: Int, total: Int, kind: Kind, instruction: String, isTrigger: Bool = false) {
        self.id = id
        self.number = number
        self.total = total
        self.kind = kind
        self.instruction = instruction
        self.isTrigger = isTrigger
    }

    /// `[5/6]`, `[1/6] ONBUILD` for a trigger.
    public var label: String {
        "[\(number)/\(total)]" + (isTrigger ? " ONBUILD" : "")
    }

    /// `[5/6] RUN make`, or `exporting to image`: the step in one line.
    public var title: String {
        kind == .export ? summary : "\(label) \(summary)"
    }

    /// The instruction's first line: what a one-line display shows of a heredoc.
    public var summary: String {
        String(instruction.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }
}
