import CellCore

/// A parsed Imagefile (Dockerfile syntax): its instructions in order, with source lines.
public struct Imagefile: Sendable, Equatable {
    /// The name used in error messages (`Imagefile:7: ...`).
    public var fileName: String
    public var instructions: [Instruction]
    /// The parser directives found at the top, in order.
    public var directives: [ParserDirective]
    /// `\` unless `# escape=\`` changed it.
    public var escapeCharacter: Unicode.Scalar
    /// Non-fatal findings (empty continuation lines), worded as Docker words them.
    public var warnings: [String]

    public init(
        fileName: String = "Imagefile", instructions: [Instruction], directives: [ParserDirective] = [],
        escapeCharacter: Unicode.Scalar = "\\", warnings: [String] = []
    ) {
        self.fileName = fileName
        self.instructions = instructions
        self.directives = directives
        self.escapeCharacter = escapeCharacter
        self.warnings = warnings
    }

    /// Parses Imagefile text. Errors are `.invalidInput`, worded `<fileName>:<line>: <message>`.
    public init(parsing text: String, fileName: String = "Imagefile") throws(CellError) {
        var parser = ImagefileParser(text: text, fileName: fileName)
        self = try parser.parse()
    }

    /// The value of `# syntax=`, if given (recorded; cell has a single frontend).
    public var syntax: String? { directives.first { $0.name == "syntax" }?.value }

    /// BuildKit's parse-tree dump: one `(instruction ...)` per line, as in its `testfiles/*/result`.
    public func dump() -> String {
        instructions.map { "(" + $0.dump() + ")\n" }.joined()
    }

    func error(_ message: String, line: Int) -> CellError {
        CellError.invalidInput("\(fileName):\(line): \(message)")
    }
}
