import CellCore

/// A Go text/template, as docker's `--format` and `inspect -f` use it, executed over a JSON value:
/// fields and map keys (`{{.Config.Image}}`), `range`/`if`/`with`/`else`, variables, pipelines,
/// `{{- -}}` trimming, Go's builtins and docker's extra functions. Errors are CellError `.usage`
/// worded as docker prints them: `template parsing error: template: :1:2: executing "" at <.X>: …`.
public struct GoTemplate: Sendable {
    public let source: String
    /// Go's `missingkey=error` option: docker's inspect falls back to it for raw JSON.
    /// By default a missing key prints `<no value>`.
    public var missingKeyIsError: Bool
    let nodes: [TemplateNode]

    public init(_ source: String, missingKeyIsError: Bool = false) throws {
        self.source = source
        self.missingKeyIsError = missingKeyIsError
        do {
            var lexer = TemplateLexer(source)
            var parser = TemplateParser(tokens: try lexer.tokenize(), functions: TemplateFunctions.names)
            nodes = try parser.parseTemplate()
        } catch let error as TemplateError {
            throw GoTemplate.cellError(error, source: source)
        }
    }

    /// Executes the template with `value` as dot (and `$`).
    public func render(_ value: JSONValue) throws -> String {
        var executor = TemplateExecutor(root: value, missingKeyIsError: missingKeyIsError)
        do {
            try executor.walk(nodes, dot: value)
        } catch let error as TemplateError {
            throw GoTemplate.cellError(error, source: source)
        }
        return executor.output
    }

    /// docker's handling of a `--format` value before parsing (formatter.Context.preFormat): a
    /// leading `table` marks a table and is removed, spaces are trimmed from both ends, and the
    /// two-character sequences `\t` and `\n` become a tab and a newline.
    public static func splitTableDirective(_ format: String) -> (isTable: Bool, template: String) {
        var text = Substring(format)
        let isTable = text.hasPrefix("table")
        if isTable { text = text.dropFirst(5) }
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        var out = ""
        var iterator = text.makeIterator()
        var pending: Character? = iterator.next()
        while let character = pending {
            pending = iterator.next()
            if character == "\\", let next = pending, next == "t" || next == "n" {
                out.append(next == "t" ? "\t" : "\n")
                pending = iterator.next()
            } else {
                out.append(character)
            }
        }
        return (isTable, out)
    }

    static func cellError(_ error: TemplateError, source: String) -> CellError {
        let bytes = Array(source.utf8)
        let position = min(error.position, bytes.count)
        let before = bytes[..<position]
        let line = 1 + before.filter { $0 == 0x0a }.count
        let column = before.lastIndex(of: 0x0a).map { position - $0 - 1 } ?? position
        if error.isParse {
            return CellError(.usage, "template parsing error: template: :\(line): \(error.message)")
        }
        return CellError(.usage, "template parsing error: template: :\(line):\(column): executing \"\" at <\(error.context ?? "")>: \(error.message)")
    }
}
