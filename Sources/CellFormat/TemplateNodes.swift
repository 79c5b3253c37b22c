/// The parse tree of a template.
indirect enum TemplateNode: Sendable {
    case text(String)
    case action(TemplatePipeline)
    /// `if`/`with`: pipeline, then-list, else-list (an `else if` chain nests here).
    case conditional(isWith: Bool, TemplatePipeline, [TemplateNode], [TemplateNode]?)
    case range(TemplatePipeline, [TemplateNode], [TemplateNode]?)
    case breakLoop(position: Int)
    case continueLoop(position: Int)
}

/// `$x := cmd | cmd | cmd`
struct TemplatePipeline: Sendable {
    var position: Int
    var declarations: [String] = []
    var isAssignment = false
    var commands: [TemplateCommand] = []

    var description: String {
        var text = ""
        if !declarations.isEmpty {
            text = declarations.joined(separator: ", ") + (isAssignment ? " = " : " := ")
        }
        return text + commands.map(\.description).joined(separator: " | ")
    }
}

/// One stage of a pipeline: an operand or a function with arguments.
struct TemplateCommand: Sendable {
    var position: Int
    var arguments: [TemplateArgument] = []
    var description: String { arguments.map(\.description).joined(separator: " ") }
}

struct TemplateArgument: Sendable {
    indirect enum Operand: Sendable {
        case dot
        case nilLiteral
        case literal(JSONValue)
        case field([String])
        case variable(String, [String])
        case function(String)
        case pipeline(TemplatePipeline, [String])
    }
    var operand: Operand
    var position: Int
    /// The source spelling, shown in execution errors as Go does (`at <.Config.Foo>`).
    var text: String

    var description: String { text }
}
