import CellCore

/// An Imagefile split into stages, with the global ARGs (those before the first FROM, which only
/// FROM lines can use) and the dependency graph between stages.
public struct BuildStages: Sendable, Equatable {
    public var fileName: String
    public var escapeCharacter: Unicode.Scalar
    /// ARG steps before the first FROM.
    public var globalArgs: [Step]
    public var stages: [Stage]

    public init(fileName: String = "Imagefile", escapeCharacter: Unicode.Scalar = "\\", globalArgs: [Step], stages: [Stage]) {
        self.fileName = fileName
        self.escapeCharacter = escapeCharacter
        self.globalArgs = globalArgs
        self.stages = stages
    }

    /// The global ARG definitions, in order.
    public var globalArgDefinitions: [ArgDefinition] {
        globalArgs.flatMap { step -> [ArgDefinition] in
            if case .arg(let definitions) = step.command { return definitions }
            return []
        }
    }

    /// The stage called `name` (case-insensitive) or numbered `name`.
    public func stage(named name: String) -> Stage? {
        let lowered = name.lowercased()
        if let stage = stages.first(where: { $0.name == lowered }) { return stage }
        if let index = Int(name), stages.indices.contains(index) { return stages[index] }
        return nil
    }

    /// The environment FROM lines see: global ARG defaults, overridden by `--build-arg` values
    /// for ARGs that are declared.
    public func globalEnvironment(buildArgs: [String: String] = [:]) throws(CellError) -> [String: String] {
        var environment: [String: String] = [:]
        let lexer = ShellLexer(escapeCharacter: escapeCharacter)
        for definition in globalArgDefinitions {
            if let value = buildArgs[definition.name] {
                environment[definition.name] = value
            } else if let value = definition.defaultValue {
                environment[definition.name] = try lexer.processWord(value, environment: environment)
            }
        }
        return environment
    }

    /// The base image of a stage after expanding global ARGs (`FROM ${BASE}`).
    public func baseName(of stage: Stage, buildArgs: [String: String] = [:]) throws(CellError) -> String {
        let lexer = ShellLexer(escapeCharacter: escapeCharacter)
        do {
            return try lexer.processWord(stage.from.image, environment: try globalEnvironment(buildArgs: buildArgs))
        } catch {
            throw CellError.invalidInput("\(fileName):\(stage.instruction.startLine): \(error.message)")
        }
    }

    /// The earlier stages `stage` uses directly: its FROM, `COPY --from` and `RUN --mount=from=`.
    /// References that name no stage are images. References are expanded with the global ARGs
    /// (a simplification: Docker also sees ARGs redeclared inside the stage).
    public func dependencies(of stage: Stage, buildArgs: [String: String] = [:]) throws(CellError) -> [Int] {
        let environment = try globalEnvironment(buildArgs: buildArgs)
        let lexer = ShellLexer(escapeCharacter: escapeCharacter)
        var result: Set<Int> = []

        func resolve(_ reference: String, line: Int, allowsIndex: Bool) throws(CellError) {
            let expanded: String
            do {
                expanded = try lexer.processWord(reference, environment: environment)
            } catch {
                throw CellError.invalidInput("\(fileName):\(line): \(error.message)")
            }
            let lowered = expanded.lowercased()
            if let target = stages.prefix(stage.index).first(where: { $0.name == lowered }) {
                result.insert(target.index)
                return
            }
            if lowered == stage.name {
                throw CellError.invalidInput("\(fileName):\(line): circular dependency detected on stage: \(lowered)")
            }
            if allowsIndex, let index = Int(expanded) {
                guard index >= 0, index < stage.index else {
                    throw CellError.invalidInput(
                        "\(fileName):\(line): invalid from flag value \(expanded): refers to current or later build stage")
                }
                result.insert(index)
            }
        }

        try resolve(stage.from.image, line: stage.instruction.startLine, allowsIndex: false)
        for step in stage.steps {
            let line = step.instruction.startLine
            switch step.command {
            case .copy(let copy):
                if let from = copy.from { try resolve(from, line: line, allowsIndex: true) }
            case .run(let run):
                for options in run.mountOptions {
                    if let from = options["from"] { try resolve(from, line: line, allowsIndex: true) }
                }
            default:
                break
            }
        }
        return result.sorted()
    }

    /// Every stage needed to build `target` (a name or index; nil for the last stage), target
    /// included, in build order: the builder builds only these.
    public func requiredStages(for target: String? = nil, buildArgs: [String: String] = [:]) throws(CellError) -> [Int] {
        guard let last = stages.last else { throw CellError.invalidInput("\(fileName): no build stages") }
        let targetStage: Stage
        if let target {
            guard let found = stage(named: target) else {
                throw CellError.usage("target stage \(GoText.quote(target)) could not be found")
            }
            targetStage = found
        } else {
            targetStage = last
        }
        var needed: Set<Int> = [targetStage.index]
        var pending = [targetStage.index]
        while let index = pending.popLast() {
            for dependency in try dependencies(of: stages[index], buildArgs: buildArgs) where !needed.contains(dependency) {
                needed.insert(dependency)
                pending.append(dependency)
            }
        }
        return needed.sorted()
    }
}

extension Imagefile {
    /// Every instruction as a typed step, in order.
    public func steps() throws(CellError) -> [Step] {
        var steps: [Step] = []
        for instruction in instructions {
            steps.append(Step(command: try instruction.command(fileName: fileName), instruction: instruction))
        }
        return steps
    }

    /// The instructions grouped into stages; only ARG may come before the first FROM.
    public func stages() throws(CellError) -> BuildStages {
        var globalArgs: [Step] = []
        var stages: [Stage] = []
        var names: Set<String> = []
        for step in try steps() {
            if case .from(let from) = step.command {
                if let name = from.stageName {
                    guard names.insert(name).inserted else {
                        throw error("duplicate stage name \(GoText.quote(name))", line: step.instruction.startLine)
                    }
                }
                stages.append(Stage(index: stages.count, from: from, instruction: step.instruction))
            } else if stages.isEmpty {
                guard case .arg = step.command else {
                    throw error("no build stage in current context", line: step.instruction.startLine)
                }
                globalArgs.append(step)
            } else {
                stages[stages.count - 1].steps.append(step)
            }
        }
        return BuildStages(fileName: fileName, escapeCharacter: escapeCharacter, globalArgs: globalArgs, stages: stages)
    }
}
