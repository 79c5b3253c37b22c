/// Walks a parsed template over a JSON value with Go's text/template semantics. Values are
/// `JSONValue?`: nil is Go's invalid reflect.Value (a missing map key), printed `<no value>`;
/// `.null` is a nil interface{}, which a pipeline's result turns into nil just as Go unwraps it.
struct TemplateExecutor {
    let missingKeyIsError: Bool
    var variables: [(name: String, value: JSONValue?)]
    var output = ""

    /// A pipeline stage's input from the previous stage; `none` for the first stage.
    enum Final {
        case none
        case value(JSONValue?)
    }

    init(root: JSONValue, missingKeyIsError: Bool) {
        self.missingKeyIsError = missingKeyIsError
        variables = [("$", root)]
    }

    func failure(_ message: String, at position: Int, _ context: String) -> TemplateError {
        TemplateError(message: message, position: position, isParse: false, context: context)
    }

    mutating func walk(_ nodes: [TemplateNode], dot: JSONValue?) throws {
        for node in nodes { try walk(node, dot: dot) }
    }

    mutating func walk(_ node: TemplateNode, dot: JSONValue?) throws {
        switch node {
        case .text(let text):
            output += text
        case .action(let pipeline):
            let value = try evaluate(pipeline, dot: dot)
            if pipeline.declarations.isEmpty { output += value.map(GoValueFormatting.print) ?? "<no value>" }
        case .conditional(let isWith, let pipeline, let list, let elseList):
            let mark = variables.count
            defer { variables.removeSubrange(mark...) }
            let value = try evaluate(pipeline, dot: dot)
            if GoValueFormatting.isTrue(value) {
                try walk(list, dot: isWith ? value : dot)
            } else if let elseList {
                try walk(elseList, dot: dot)
            }
        case .range(let pipeline, let list, let elseList):
            let mark = variables.count
            defer { variables.removeSubrange(mark...) }
            try walkRange(pipeline, list, elseList, dot: dot)
        case .breakLoop:
            throw TemplateLoopControl.breakLoop
        case .continueLoop:
            throw TemplateLoopControl.continueLoop
        }
    }

    mutating func walkRange(_ pipeline: TemplatePipeline, _ list: [TemplateNode], _ elseList: [TemplateNode]?, dot: JSONValue?) throws {
        let value = try evaluate(pipeline, dot: dot)
        var items: [(key: JSONValue, element: JSONValue)] = []
        switch value {
        case nil, .null?: break
        case .array(let elements)?:
            items = elements.enumerated().map { (.integer(Int64($0.offset)), $0.element) }
        case .object(let pairs)?:
            items = GoValueFormatting.sortedPairs(pairs).map { (.string($0.0), $0.1) }
        case .integer(let count)?:
            guard pipeline.declarations.count < 2 else {
                throw failure("can't use \(count) to iterate over more than one variable", at: pipeline.position, pipeline.description)
            }
            items = count > 0 ? (0..<count).map { (.integer($0), .integer($0)) } : []
        case let other?:
            throw failure("range can't iterate over \(GoValueFormatting.print(other))", at: pipeline.position, pipeline.description)
        }
        if items.isEmpty {
            if let elseList { try walk(elseList, dot: dot) }
            return
        }
        let mark = variables.count
        for item in items {
            defer { variables.removeSubrange(mark...) }
            // One variable gets the element; with two, the first gets the index or key.
            let declarations = pipeline.declarations
            if declarations.count == 1 {
                setVariable(declarations[0], item.element)
            } else if declarations.count == 2 {
                setVariable(declarations[0], item.key)
                setVariable(declarations[1], item.element)
            }
            do {
                try walk(list, dot: item.element)
            } catch TemplateLoopControl.breakLoop {
                break
            } catch TemplateLoopControl.continueLoop {
                continue
            }
        }
    }

    mutating func setVariable(_ name: String, _ value: JSONValue?) {
        if let index = variables.lastIndex(where: { $0.name == name }) { variables[index].value = value }
    }

    func variable(_ name: String) -> JSONValue? {
        variables.last { $0.name == name }?.value
    }

    mutating func evaluate(_ pipeline: TemplatePipeline, dot: JSONValue?) throws -> JSONValue? {
        var value: JSONValue? = nil
        var final = Final.none
        for command in pipeline.commands {
            value = try evaluate(command, dot: dot, final: final)
            // A nil interface{} at the end of a stage is no value at all (Go's "lovely!" unwrap).
            if case .null? = value { value = nil }
            final = .value(value)
        }
        for name in pipeline.declarations {
            if pipeline.isAssignment { setVariable(name, value) } else { variables.append((name, value)) }
        }
        return value
    }

    mutating func evaluate(_ command: TemplateCommand, dot: JSONValue?, final: Final) throws -> JSONValue? {
        let first = command.arguments[0]
        var hasArguments = command.arguments.count > 1
        if case .value = final { hasArguments = true }
        func notAFunction() throws {
            if hasArguments { throw failure("can't give argument to non-function \(first.text)", at: first.position, first.text) }
        }
        switch first.operand {
        case .field(let names):
            return try evaluateFields(names, of: dot, hasArguments: hasArguments, at: first)
        case .variable(let name, let names):
            if names.isEmpty { try notAFunction(); return variable(name) }
            return try evaluateFields(names, of: variable(name), hasArguments: hasArguments, at: first)
        case .pipeline(let pipeline, let names):
            let value = try evaluateNested(pipeline, dot: dot)
            if names.isEmpty { try notAFunction(); return value }
            return try evaluateFields(names, of: value, hasArguments: hasArguments, at: first)
        case .function(let name):
            return try call(name, Array(command.arguments.dropFirst()), final: final, dot: dot, command: command)
        case .dot:
            try notAFunction()
            return dot
        case .nilLiteral:
            throw failure("nil is not a command", at: first.position, first.text)
        case .literal(let value):
            try notAFunction()
            return value
        }
    }

    /// A parenthesized pipeline keeps its variables to itself.
    mutating func evaluateNested(_ pipeline: TemplatePipeline, dot: JSONValue?) throws -> JSONValue? {
        let mark = variables.count
        defer { if variables.count > mark, pipeline.isAssignment == false { variables.removeSubrange(mark...) } }
        return try evaluate(pipeline, dot: dot)
    }

    func evaluateFields(_ names: [String], of receiver: JSONValue?, hasArguments: Bool, at argument: TemplateArgument) throws -> JSONValue? {
        var value = receiver
        for (i, name) in names.enumerated() {
            value = try field(name, of: value, hasArguments: hasArguments && i == names.count - 1, at: argument)
        }
        return value
    }

    func field(_ name: String, of receiver: JSONValue?, hasArguments: Bool, at argument: TemplateArgument) throws -> JSONValue? {
        switch receiver {
        case nil:
            if missingKeyIsError { throw failure("nil data; no entry for key \(name.debugDescription)", at: argument.position, argument.text) }
            return nil
        case .null?:
            throw failure("nil pointer evaluating interface {}.\(name)", at: argument.position, argument.text)
        case .object?:
            if hasArguments { throw failure("\(name) is not a method but has arguments", at: argument.position, argument.text) }
            if let value = receiver?[name] { return value }
            if missingKeyIsError { throw failure("map has no entry for key \(name.debugDescription)", at: argument.position, argument.text) }
            return nil
        case let other?:
            throw failure("can't evaluate field \(name) in type \(GoValueFormatting.typeName(other))", at: argument.position, argument.text)
        }
    }

    /// An argument's value; missing values become nil interfaces, as Go passes them to functions.
    mutating func argument(_ argument: TemplateArgument, dot: JSONValue?) throws -> JSONValue {
        let value: JSONValue?
        switch argument.operand {
        case .dot: value = dot
        case .nilLiteral: value = .null
        case .literal(let literal): value = literal
        case .field(let names): value = try evaluateFields(names, of: dot, hasArguments: false, at: argument)
        case .variable(let name, let names): value = try evaluateFields(names, of: variable(name), hasArguments: false, at: argument)
        case .pipeline(let pipeline, let names):
            value = try evaluateFields(names, of: evaluateNested(pipeline, dot: dot), hasArguments: false, at: argument)
        case .function(let name):
            value = try call(name, [], final: .none, dot: dot,
                             command: TemplateCommand(position: argument.position, arguments: [argument]))
        }
        return value ?? .null
    }

    mutating func call(_ name: String, _ arguments: [TemplateArgument], final: Final, dot: JSONValue?, command: TemplateCommand) throws -> JSONValue? {
        // `and` and `or` stop at the first deciding argument and return it.
        if name == "and" || name == "or" {
            var count = arguments.count
            if case .value = final { count += 1 }
            guard count >= 1 else {
                throw failure("wrong number of args for \(name): want at least 1 got 0", at: command.position, command.description)
            }
            var last: JSONValue = .null
            for node in arguments {
                last = try argument(node, dot: dot)
                if GoValueFormatting.isTrue(last) == (name == "or") { return last }
            }
            if case .value(let value) = final { last = value ?? .null }
            return last
        }
        var values = try arguments.map { try argument($0, dot: dot) }
        if case .value(let value) = final { values.append(value ?? .null) }
        do {
            return try TemplateFunctions.call(name, values)
        } catch let error as TemplateCallError {
            throw failure("error calling \(name): \(error.message)", at: command.position, command.description)
        } catch let error as TemplateArgumentError {
            throw failure(error.message, at: command.position, command.description)
        }
    }
}
