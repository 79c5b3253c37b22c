import CellCore

/// The line scanner behind `Imagefile(parsing:)`: parser directives, comments, line continuations,
/// empty continuation lines, heredoc bodies and line numbers, as BuildKit's `parser.Parse`.
struct ImagefileParser {
    let fileName: String
    /// Physical lines, each with its line ending (the last may have none).
    private let lines: [String]
    private var cursor = 0
    private var escape: Unicode.Scalar = "\\"
    private var directivesDone = false
    private var directives: [ParserDirective] = []

    init(text: String, fileName: String) {
        self.fileName = fileName
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            current.append(scalar)
            if scalar == "\n" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        if let first = lines.first, first.unicodeScalars.first == "\u{FEFF}" {
            lines[0] = String(first.unicodeScalars.dropFirst())
        }
        self.lines = lines
    }

    private func error(_ message: String, line: Int) -> CellError {
        CellError.invalidInput("\(fileName):\(max(line, 1)): \(message)")
    }

    private mutating func nextLine() -> String? {
        guard cursor < lines.count else { return nil }
        defer { cursor += 1 }
        return lines[cursor]
    }

    mutating func parse() throws(CellError) -> Imagefile {
        var instructions: [Instruction] = []
        var warnings: [String] = []
        var comments: [String] = []

        while let raw = nextLine() {
            let lineNumber = cursor
            if Self.isComment(raw) {
                let comment = GoText.trimSpace(String(raw.unicodeScalars.dropFirst()))
                if comment.isEmpty { comments = [] } else { comments.append(comment) }
            }
            let processed = try processLine(raw, stripLeadingSpace: true, lineNumber: lineNumber)
            var (line, isEndOfLine) = trimContinuation(processed)
            if isEndOfLine && line.isEmpty { continue }

            var hasEmptyContinuationLine = false
            while !isEndOfLine, let continuation = nextLine() {
                let processed = try processLine(continuation, stripLeadingSpace: false, lineNumber: cursor)
                // Comment lines inside a continuation are skipped; blank ones are skipped with a warning.
                if Self.isComment(continuation) { continue }
                if GoText.trimLeadingSpace(Array(processed.unicodeScalars)[...]).isEmpty {
                    hasEmptyContinuationLine = true
                    continue
                }
                let (piece, end) = trimContinuation(processed)
                line += piece
                isEndOfLine = end
            }
            if hasEmptyContinuationLine {
                warnings.append("Empty continuation line found in: \(line)")
            }

            var instruction: Instruction
            do {
                instruction = try Self.instruction(from: line, escape: escape)
            } catch {
                throw self.error(error.message, line: lineNumber)
            }
            instruction.startLine = lineNumber
            instruction.comments = comments

            if Self.canContainHeredoc(instruction), line.contains("<<") {
                var heredocs = try Heredoc.openers(inLine: line)
                for index in heredocs.indices {
                    var terminated = false
                    while let body = nextLine() {
                        var candidate = Self.trimNewline(body)
                        if heredocs[index].stripsTabs {
                            candidate = String(candidate.unicodeScalars.drop { $0 == "\t" })
                        }
                        if candidate == heredocs[index].name {
                            terminated = true
                            break
                        }
                        heredocs[index].content += body
                    }
                    if !terminated { throw error("unterminated heredoc", line: lineNumber) }
                }
                if instruction.name == "onbuild", instruction.trigger != nil {
                    instruction.trigger!.heredocs = heredocs
                }
                instruction.heredocs = heredocs
            }
            instruction.endLine = cursor
            if var trigger = instruction.trigger {
                trigger.startLine = instruction.startLine
                trigger.endLine = instruction.endLine
                instruction.trigger = trigger
            }
            instructions.append(instruction)
            comments = []
        }

        if instructions.isEmpty {
            throw error("file with no instructions", line: lines.count)
        }
        return Imagefile(
            fileName: fileName, instructions: instructions, directives: directives,
            escapeCharacter: escape, warnings: warnings)
    }

    /// One logical line → an instruction (flags split off, arguments parsed by keyword).
    static func instruction(from line: String, escape: Unicode.Scalar) throws(InstructionSyntax.Failure) -> Instruction {
        let (keyword, flags, rest) = InstructionSyntax.splitCommand(line)
        let name = keyword.lowercased()
        guard InstructionSyntax.keywords.contains(name) else {
            throw InstructionSyntax.Failure("unknown instruction: \(keyword)")
        }
        var instruction = Instruction(keyword: keyword, flags: flags, original: line)
        if name == "onbuild" {
            // ONBUILD's argument is a whole instruction of its own.
            if !rest.isEmpty {
                instruction.trigger = try Self.instruction(from: rest, escape: escape)
            }
            return instruction
        }
        let parsed = try InstructionSyntax.parseArguments(keyword: name, rest: rest, escape: escape)
        instruction.arguments = parsed.arguments
        instruction.isJSON = parsed.isJSON
        return instruction
    }

    /// RUN, COPY and ADD in shell form (also as an ONBUILD trigger) may open heredocs.
    static func canContainHeredoc(_ instruction: Instruction) -> Bool {
        var subject = instruction
        if subject.name == "onbuild", let trigger = subject.trigger { subject = trigger }
        return ["run", "copy", "add"].contains(subject.name) && !subject.isJSON
    }

    static func trimNewline(_ line: String) -> String {
        var scalars = line.unicodeScalars[...]
        while let last = scalars.last, last == "\n" || last == "\r" { scalars = scalars.dropLast() }
        return String(scalars: scalars)
    }

    static func isComment(_ line: String) -> Bool {
        GoText.trimLeadingSpace(Array(trimNewline(line).unicodeScalars)[...]).first == "#"
    }

    /// Drops the line ending (and leading space on a first line), notes parser directives while
    /// they may still appear, and blanks a line that starts with `#`.
    private mutating func processLine(_ raw: String, stripLeadingSpace: Bool, lineNumber: Int) throws(CellError) -> String {
        var token = Self.trimNewline(raw)
        if stripLeadingSpace {
            token = String(scalars: GoText.trimLeadingSpace(Array(token.unicodeScalars)[...]))
        }
        try noteDirective(token, lineNumber: lineNumber)
        return token.unicodeScalars.first == "#" ? "" : token
    }

    private mutating func noteDirective(_ line: String, lineNumber: Int) throws(CellError) {
        guard !directivesDone else { return }
        guard let (rawName, value) = ParserDirective.match(line), ParserDirective.known.contains(rawName.lowercased()) else {
            directivesDone = true
            return
        }
        let name = rawName.lowercased()
        if directives.contains(where: { $0.name == name }) {
            throw error("only one \(name) parser directive can be used", line: lineNumber)
        }
        if name == "escape" {
            guard value == "`" || value == "\\" else {
                throw error("invalid escape token '\(value)' does not match ` or \\", line: lineNumber)
            }
            escape = value.unicodeScalars.first!
        }
        directives.append(ParserDirective(name: name, value: value, line: lineNumber))
    }

    /// A trailing escape character (not itself escaped), optionally followed by blanks, continues
    /// the line: it and the blanks are removed.
    private func trimContinuation(_ line: String) -> (String, Bool) {
        var scalars = Array(line.unicodeScalars)
        var end = scalars.count
        while end > 0, scalars[end - 1] == " " || scalars[end - 1] == "\t" { end -= 1 }
        guard end > 0, scalars[end - 1] == escape else { return (line, true) }
        if end >= 2 && scalars[end - 2] == escape { return (line, true) }
        scalars.removeSubrange((end - 1)...)
        return (String(scalars: scalars), false)
    }
}
