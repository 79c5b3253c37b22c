/// Builds the tree from tokens with the rules of Go's text/template/parse.
struct TemplateParser {
    var tokens: [TemplateToken]
    var index = 0
    /// Variables in scope, innermost last; `$` always.
    var variables: [String] = ["$"]
    var rangeDepth = 0
    let functions: Set<String>

    init(tokens: [TemplateToken], functions: Set<String>) {
        self.tokens = tokens
        self.functions = functions
    }

    func failure(_ message: String, _ token: TemplateToken) -> TemplateError {
        TemplateError(message: message, position: token.position, isParse: true)
    }

    mutating func next() -> TemplateToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func peek() -> TemplateToken { tokens[index] }

    mutating func nextNonSpace() -> TemplateToken {
        var token = next()
        while token.kind == .space { token = next() }
        return token
    }

    mutating func peekNonSpace() -> TemplateToken {
        let token = nextNonSpace()
        index -= 1
        return token
    }

    /// The top level: everything until EOF.
    mutating func parseTemplate() throws -> [TemplateNode] {
        let (nodes, end) = try parseList()
        if let end { throw failure("unexpected {{\(end.text)}}", end) }
        return nodes
    }

    /// Nodes until `{{end}}`/`{{else}}` (returned, already consumed up to the keyword) or EOF (nil).
    mutating func parseList() throws -> ([TemplateNode], TemplateToken?) {
        var nodes: [TemplateNode] = []
        while true {
            let token = next()
            switch token.kind {
            case .eof:
                return (nodes, nil)
            case .text:
                nodes.append(.text(token.text))
            case .leftDelim:
                let word = peekNonSpace()
                if word.kind == .keyword && (word.text == "end" || word.text == "else") {
                    _ = nextNonSpace()
                    return (nodes, word)
                }
                nodes.append(try parseAction())
            default:
                throw failure("unexpected \(token.text.debugDescription)", token)
            }
        }
    }

    mutating func expectRightDelim(_ context: String) throws {
        let token = nextNonSpace()
        guard token.kind == .rightDelim else { throw failure("unexpected \(describe(token)) in \(context)", token) }
    }

    func describe(_ token: TemplateToken) -> String {
        switch token.kind {
        case .eof: return "EOF"
        case .string: return token.text.debugDescription
        case .field: return "<.\(token.text)>"
        default: return "\"\(token.text)\""
        }
    }

    mutating func parseAction() throws -> TemplateNode {
        let token = peekNonSpace()
        if token.kind == .keyword {
            _ = nextNonSpace()
            switch token.text {
            case "if": return try parseControl("if")
            case "with": return try parseControl("with")
            case "range": return try parseControl("range")
            case "break", "continue":
                guard rangeDepth > 0 else { throw failure("{{\(token.text)}} outside {{range}}", token) }
                try expectRightDelim(token.text)
                return token.text == "break" ? .breakLoop(position: token.position) : .continueLoop(position: token.position)
            default:
                throw failure("{{\(token.text)}} is not supported", token)
            }
        }
        return .action(try parsePipeline("command", end: .rightDelim))
    }

    /// `if`/`with`/`range` through its `{{end}}`, with `{{else}}`, `{{else if}}` and `{{else with}}`.
    mutating func parseControl(_ context: String) throws -> TemplateNode {
        let mark = variables.count
        defer { variables.removeSubrange(mark...) }
        let pipeline = try parsePipeline(context, end: .rightDelim)
        if context == "range" { rangeDepth += 1 }
        let (list, end) = try parseList()
        if context == "range" { rangeDepth -= 1 }
        guard let end else { throw failure("unexpected EOF", tokens[index]) }
        var elseList: [TemplateNode]? = nil
        if end.text == "else" {
            let following = peekNonSpace()
            if context != "range", following.kind == .keyword, following.text == "if" || following.text == "with" {
                // `{{else if x}}` is `{{else}}{{if x}}...{{end}}{{end}}` sharing one {{end}}.
                _ = nextNonSpace()
                elseList = [try parseControl(following.text)]
                return node(context, pipeline, list, elseList)
            }
            try expectRightDelim("else")
            let (otherwise, close) = try parseList()
            guard let close else { throw failure("unexpected EOF", tokens[index]) }
            guard close.text == "end" else { throw failure("expected end; found {{else}}", close) }
            elseList = otherwise
        }
        try expectRightDelim("end")
        return node(context, pipeline, list, elseList)
    }

    func node(_ context: String, _ pipeline: TemplatePipeline, _ list: [TemplateNode], _ elseList: [TemplateNode]?) -> TemplateNode {
        context == "range" ? .range(pipeline, list, elseList) : .conditional(isWith: context == "with", pipeline, list, elseList)
    }

    /// Declarations, then commands separated by `|`, up to `}}` or `)`.
    mutating func parsePipeline(_ context: String, end: TemplateToken.Kind) throws -> TemplatePipeline {
        let first = peekNonSpace()
        var pipeline = TemplatePipeline(position: first.position)
        declarations: if first.kind == .variable {
            let save = index
            _ = nextNonSpace()
            let after = peekNonSpace()
            if after.kind == .declare || after.kind == .assign {
                _ = nextNonSpace()
                pipeline.isAssignment = after.kind == .assign
                if pipeline.isAssignment && !variables.contains(first.text) {
                    throw failure("undefined variable \(first.text.debugDescription)", first)
                }
                pipeline.declarations = [first.text]
            } else if after.kind == .comma && context == "range" {
                _ = nextNonSpace()
                let second = nextNonSpace()
                guard second.kind == .variable else { throw failure("range can only initialize variables", second) }
                let op = nextNonSpace()
                guard op.kind == .declare || op.kind == .assign else { throw failure("range can only initialize variables", op) }
                pipeline.isAssignment = op.kind == .assign
                pipeline.declarations = [first.text, second.text]
            } else if after.kind == .comma {
                throw failure("too many declarations in \(context)", after)
            } else {
                index = save
                break declarations
            }
            if !pipeline.isAssignment { variables.append(contentsOf: pipeline.declarations) }
        }
        while true {
            let token = nextNonSpace()
            if token.kind == end {
                guard !pipeline.commands.isEmpty else { throw failure("missing value for \(context)", token) }
                for (stage, command) in pipeline.commands.enumerated().dropFirst() {
                    switch command.arguments[0].operand {
                    case .dot, .nilLiteral, .literal:
                        throw failure("non executable command in pipeline stage \(stage + 1)", token)
                    default: break
                    }
                }
                return pipeline
            }
            switch token.kind {
            case .bool, .character, .dot, .field, .identifier, .number, .nilLiteral, .string, .variable, .leftParen:
                index -= 1
                pipeline.commands.append(try parseCommand(end: end))
            case .eof, .rightDelim, .rightParen:
                throw failure(token.kind == .eof ? "unclosed action" : "unexpected \(describe(token)) in \(context)", token)
            default:
                throw failure("unexpected \(describe(token)) in \(context)", token)
            }
        }
    }

    mutating func parseCommand(end: TemplateToken.Kind) throws -> TemplateCommand {
        var command = TemplateCommand(position: peekNonSpace().position)
        while true {
            _ = peekNonSpace()
            while peek().kind == .space { _ = next() }
            if let operand = try parseOperand() { command.arguments.append(operand) }
            let token = next()
            switch token.kind {
            case .space: continue
            case .rightDelim, .rightParen: index -= 1
            case .pipe: break
            default: throw failure("unexpected \(describe(token)) in operand", token)
            }
            break
        }
        guard let first = command.arguments.first else { throw failure("empty command", tokens[index]) }
        if case .nilLiteral = first.operand, command.arguments.count == 1 {
            throw failure("nil is not a command", tokens[index])
        }
        return command
    }

    /// A term followed by `.Field` chains.
    mutating func parseOperand() throws -> TemplateArgument? {
        guard var argument = try parseTerm() else { return nil }
        var chain: [String] = []
        while peek().kind == .field {
            let field = next()
            chain.append(field.text)
            argument.text += "." + field.text
        }
        guard !chain.isEmpty else { return argument }
        switch argument.operand {
        case .field(let names): argument.operand = .field(names + chain)
        case .variable(let name, let names): argument.operand = .variable(name, names + chain)
        case .pipeline(let pipeline, let names): argument.operand = .pipeline(pipeline, names + chain)
        case .dot, .nilLiteral, .literal, .function:
            throw failure("unexpected . after term \(argument.text.debugDescription)", tokens[index])
        }
        return argument
    }

    mutating func parseTerm() throws -> TemplateArgument? {
        let token = next()
        switch token.kind {
        case .identifier:
            guard functions.contains(token.text) else { throw failure("function \(token.text.debugDescription) not defined", token) }
            return TemplateArgument(operand: .function(token.text), position: token.position, text: token.text)
        case .dot: return TemplateArgument(operand: .dot, position: token.position, text: ".")
        case .nilLiteral: return TemplateArgument(operand: .nilLiteral, position: token.position, text: "nil")
        case .variable:
            guard variables.contains(token.text) else { throw failure("undefined variable \(token.text.debugDescription)", token) }
            return TemplateArgument(operand: .variable(token.text, []), position: token.position, text: token.text)
        case .field:
            index -= 1
            return TemplateArgument(operand: .field([]), position: token.position, text: "")
        case .bool:
            return TemplateArgument(operand: .literal(.bool(token.text == "true")), position: token.position, text: token.text)
        case .number, .character:
            return TemplateArgument(operand: .literal(try number(token)), position: token.position, text: token.text)
        case .string:
            return TemplateArgument(operand: .literal(.string(token.text)), position: token.position, text: token.text.debugDescription)
        case .leftParen:
            let pipeline = try parsePipeline("parenthesized pipeline", end: .rightParen)
            return TemplateArgument(operand: .pipeline(pipeline, []), position: token.position, text: "(" + pipeline.description + ")")
        default:
            index -= 1
            return nil
        }
    }

    /// Integer (decimal, 0x, 0o, 0b, with `_`), float, or character constant.
    func number(_ token: TemplateToken) throws -> JSONValue {
        if token.kind == .character {
            let inner = token.text.dropFirst().dropLast()
            let scalars = inner.unicodeScalars
            if scalars.count == 1, let scalar = scalars.first { return .integer(Int64(scalar.value)) }
            let escapes: [String: Int64] = ["\\n": 10, "\\t": 9, "\\r": 13, "\\\\": 92, "\\'": 39, "\\a": 7, "\\b": 8, "\\f": 12, "\\v": 11]
            if let value = escapes[String(inner)] { return .integer(value) }
            throw failure("malformed character constant: \(token.text)", token)
        }
        var text = token.text.filter { $0 != "_" }
        var negative = false
        if text.hasPrefix("-") { negative = true; text.removeFirst() } else if text.hasPrefix("+") { text.removeFirst() }
        let lower = text.lowercased()
        var radix = 10
        var digits = Substring(lower)
        if lower.hasPrefix("0x") { radix = 16; digits = lower.dropFirst(2) }
        else if lower.hasPrefix("0o") { radix = 8; digits = lower.dropFirst(2) }
        else if lower.hasPrefix("0b") { radix = 2; digits = lower.dropFirst(2) }
        else if lower.count > 1 && lower.hasPrefix("0") && lower.allSatisfy(\.isNumber) { radix = 8; digits = lower.dropFirst() }
        if let value = Int64(digits, radix: radix) { return .integer(negative ? -value : value) }
        if radix == 10, let value = Double(lower), !lower.contains("n"), !lower.contains("i") {
            return .double(negative ? -value : value)
        }
        throw failure("bad number syntax: \(token.text.debugDescription)", token)
    }
}
