/// One typed instruction with its source: what the builder runs, and where to point in errors.
public struct Step: Sendable, Equatable {
    public var command: Command
    public var instruction: Instruction

    public init(command: Command, instruction: Instruction) {
        self.command = command
        self.instruction = instruction
    }
}

/// A build stage: a FROM and the steps up to the next FROM.
public struct Stage: Sendable, Equatable {
    /// Position among the stages, 0-based (what `COPY --from=0` refers to).
    public var index: Int
    public var from: FromCommand
    /// The FROM instruction itself.
    public var instruction: Instruction
    public var steps: [Step]

    public init(index: Int, from: FromCommand, instruction: Instruction, steps: [Step] = []) {
        self.index = index
        self.from = from
        self.instruction = instruction
        self.steps = steps
    }

    /// The `AS` name, lower-cased, if any.
    public var name: String? { from.stageName }
}
