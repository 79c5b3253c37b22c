import CellCore

/// Variable expansion and word splitting as Docker does it for Imagefile arguments
/// (BuildKit's `shell.Lex`): quotes, the escape character, `$var`, `${var}` and the
/// `${var:-word}`, `${var-word}`, `${var:+word}`, `${var+word}`, `${var:?msg}`, `${var?msg}`,
/// `${var#pat}`, `${var##pat}`, `${var%pat}`, `${var%%pat}`, `${var/pat/repl}`, `${var//pat/repl}` forms.
/// Not a shell: no command substitution, no globbing, no arithmetic.
public struct ShellLexer: Sendable {
    /// The escape character: `\` by default, or `` ` `` after `# escape=``.
    public var escapeCharacter: Unicode.Scalar
    /// Keep quote characters in the output (the heredoc detection needs to see them).
    public var keepsQuotes = false
    /// Keep escape characters in the output.
    public var keepsEscapes = false
    /// Leave references to unset variables as written instead of expanding them to "".
    public var leavesUnsetVariables = false
    /// Treat quotes as ordinary characters.
    public var ignoresQuotes = false

    public init(escapeCharacter: Unicode.Scalar = "\\") {
        self.escapeCharacter = escapeCharacter
    }

    /// Expands variables in `word` and removes quotes and escapes, keeping spaces between words.
    public func processWord(_ word: String, environment: [String: String]) throws(CellError) -> String {
        try process(word, environment: environment).word
    }

    /// Expands variables and then splits into words, honouring quotes; spaces coming from a
    /// variable's value split words, spaces inside quotes do not.
    public func processWords(_ word: String, environment: [String: String]) throws(CellError) -> [String] {
        try process(word, environment: environment).words
    }

    func process(_ source: String, environment: [String: String]) throws(CellError) -> (word: String, words: [String]) {
        var scanner = ShellWordScanner(lexer: self, scalars: Array(source.unicodeScalars), environment: environment)
        do {
            return try scanner.processStopOn(nil, keepingEscapes: keepsEscapes)
        } catch {
            throw CellError.invalidInput("failed to process \(GoText.quote(source)): \(error.message)")
        }
    }
}

/// The cursor over one word being expanded.
struct ShellWordScanner {
    let lexer: ShellLexer
    let scalars: [Unicode.Scalar]
    let environment: [String: String]
    var index = 0
    var keepsEscapes: Bool

    init(lexer: ShellLexer, scalars: [Unicode.Scalar], environment: [String: String]) {
        self.lexer = lexer
        self.scalars = scalars
        self.environment = environment
        self.keepsEscapes = lexer.keepsEscapes
    }

    func peek() -> Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    mutating func next() -> Unicode.Scalar? {
        guard index < scalars.count else { return nil }
        defer { index += 1 }
        return scalars[index]
    }

    /// Collects words: unquoted white space separates them, quoted text never does.
    struct Words {
        var buffer = String.UnicodeScalarView()
        var words: [String] = []
        var inWord = false

        mutating func add(_ scalar: Unicode.Scalar) {
            if GoText.isSpace(scalar) {
                if inWord && !buffer.isEmpty {
                    words.append(String(buffer))
                    buffer = String.UnicodeScalarView()
                    inWord = false
                }
            } else {
                addRaw(scalar)
            }
        }

        mutating func addRaw(_ scalar: Unicode.Scalar) {
            buffer.append(scalar)
            inWord = true
        }

        mutating func add(_ string: String) {
            for scalar in string.unicodeScalars { add(scalar) }
        }

        mutating func addRaw(_ string: String) {
            buffer.append(contentsOf: string.unicodeScalars)
            inWord = true
        }

        mutating func finish() -> [String] {
            if !buffer.isEmpty {
                words.append(String(buffer))
                buffer = String.UnicodeScalarView()
                inWord = false
            }
            return words
        }
    }

    mutating func processStopOn(_ stop: Unicode.Scalar?, keepingEscapes: Bool) throws(CellError) -> (word: String, words: [String]) {
        let saved = keepsEscapes
        keepsEscapes = keepingEscapes
        defer { keepsEscapes = saved }

        var result = String.UnicodeScalarView()
        var words = Words()
        while let scalar = peek() {
            if let stop, scalar == stop {
                index += 1
                return (String(result), words.finish())
            }
            if scalar == "$" {
                let value = try processDollar()
                result.append(contentsOf: value.unicodeScalars)
                words.add(value)
            } else if !lexer.ignoresQuotes && (scalar == "'" || scalar == "\"") {
                let value = scalar == "'" ? try processSingleQuote() : try processDoubleQuote()
                result.append(contentsOf: value.unicodeScalars)
                words.addRaw(value)
            } else {
                index += 1
                var character = scalar
                if character == lexer.escapeCharacter {
                    if keepsEscapes {
                        words.addRaw(character)
                        result.append(character)
                    }
                    // The escape character at the very end is dropped.
                    guard let escaped = next() else { break }
                    character = escaped
                    words.addRaw(character)
                } else {
                    words.add(character)
                }
                result.append(character)
            }
        }
        if let stop {
            throw CellError.invalidInput("unexpected end of statement while looking for matching \(stop)")
        }
        return (String(result), words.finish())
    }

    mutating func processSingleQuote() throws(CellError) -> String {
        // Everything up to the next ' is literal; a ' cannot be escaped inside.
        var result = String.UnicodeScalarView()
        let open = next()!
        if lexer.keepsQuotes { result.append(open) }
        while true {
            guard let scalar = next() else {
                throw CellError.invalidInput("unexpected end of statement while looking for matching single-quote")
            }
            if scalar == "'" {
                if lexer.keepsQuotes { result.append(scalar) }
                return String(result)
            }
            result.append(scalar)
        }
    }

    mutating func processDoubleQuote() throws(CellError) -> String {
        // Literal except `$` expansion; the escape character only escapes `"`, `$` and itself.
        var result = String.UnicodeScalarView()
        let open = next()!
        if lexer.keepsQuotes { result.append(open) }
        while true {
            guard let scalar = peek() else {
                throw CellError.invalidInput("unexpected end of statement while looking for matching double-quote")
            }
            if scalar == "\"" {
                index += 1
                if lexer.keepsQuotes { result.append(scalar) }
                return String(result)
            }
            if scalar == "$" {
                result.append(contentsOf: try processDollar().unicodeScalars)
                continue
            }
            index += 1
            var character = scalar
            if character == lexer.escapeCharacter {
                if keepsEscapes { result.append(character) }
                guard let following = peek() else { continue }
                if following == "\"" || following == "$" || following == lexer.escapeCharacter {
                    character = following
                    index += 1
                }
            }
            result.append(character)
        }
    }

    func lookup(_ name: String) -> String? { environment[name] }

    mutating func processDollar() throws(CellError) -> String {
        index += 1
        if peek() != "{" {
            let name = processName()
            if name.isEmpty { return "$" }
            guard let value = lookup(name) else { return lexer.leavesUnsetVariables ? "$" + name : "" }
            return value
        }
        index += 1
        switch peek() {
        case nil: throw CellError.invalidInput("syntax error: missing '}'")
        case "{", "}", ":": throw CellError.invalidInput("syntax error: bad substitution")
        default: break
        }
        let name = processName()
        let modifierStart = next()
        var modifier = modifierStart.map { String($0) } ?? ""
        switch modifierStart {
        case "}":
            guard let value = lookup(name) else { return lexer.leavesUnsetVariables ? "${\(name)}" : "" }
            return value
        case ":", "+", "-", "?", "#", "%":
            var operation = modifierStart!
            let nullIsUnset = operation == ":"
            if nullIsUnset {
                guard let second = next() else {
                    throw CellError.invalidInput("unsupported modifier (\(modifier)) in substitution")
                }
                operation = second
                modifier.unicodeScalars.append(second)
            }
            let isPattern = operation == "#" || operation == "%"
            if nullIsUnset && isPattern {
                throw CellError.invalidInput("unsupported modifier (\(modifier)) in substitution")
            }
            let word: String
            do {
                word = try processStopOn("}", keepingEscapes: isPattern).word
            } catch {
                if peek() == nil { throw CellError.invalidInput("syntax error: missing '}'") }
                throw error
            }
            let value = lookup(name)
            if lexer.leavesUnsetVariables && value == nil { return "${\(name)\(modifier)\(word)}" }
            let isUnset = value == nil || (nullIsUnset && value == "")
            switch operation {
            case "-":
                return isUnset ? word : value!
            case "+":
                return isUnset ? "" : word
            case "?":
                if value == nil {
                    throw CellError.invalidInput("\(name): \(word.isEmpty ? "is not allowed to be unset" : word)")
                }
                if isUnset {
                    throw CellError.invalidInput("\(name): \(word.isEmpty ? "is not allowed to be empty" : word)")
                }
                return value!
            case "#", "%":
                // `#`/`%` remove the shortest match, `##`/`%%` the longest.
                var pattern = word
                let longest = pattern.unicodeScalars.first == operation
                if longest { pattern.unicodeScalars.removeFirst() }
                let compiled = try ShellPattern(pattern)
                return operation == "#"
                    ? compiled.removingPrefix(of: value ?? "", longest: longest)
                    : compiled.removingSuffix(of: value ?? "", longest: longest)
            default:
                throw CellError.invalidInput("unsupported modifier (\(modifier)) in substitution")
            }
        case "/":
            let all = peek() == "/"
            if all { index += 1 }
            let pattern: String
            do {
                pattern = try processStopOn("/", keepingEscapes: true).word
            } catch {
                if peek() == nil { throw CellError.invalidInput("syntax error: missing '/' in ${}") }
                throw error
            }
            let replacement: String
            do {
                replacement = try processStopOn("}", keepingEscapes: true).word
            } catch {
                if peek() == nil { throw CellError.invalidInput("syntax error: missing '}'") }
                throw error
            }
            guard let value = lookup(name) else {
                return lexer.leavesUnsetVariables ? "${\(name)/\(pattern)/\(replacement)}" : ""
            }
            return try ShellPattern(pattern).replacing(in: value, with: replacement, all: all)
        default:
            throw CellError.invalidInput("unsupported modifier (\(modifier)) in substitution")
        }
    }

    /// A name: letters, digits and `_`; or a run of digits (positional); or one special parameter.
    mutating func processName() -> String {
        var name = String.UnicodeScalarView()
        while let scalar = peek() {
            if name.isEmpty && GoText.isDigit(scalar) {
                while let digit = peek(), GoText.isDigit(digit) {
                    name.append(digit)
                    index += 1
                }
                return String(name)
            }
            if name.isEmpty && "@*#?-$!0".unicodeScalars.contains(scalar) {
                index += 1
                return String(scalar)
            }
            guard GoText.isLetter(scalar) || GoText.isDigit(scalar) || scalar == "_" else { break }
            name.append(scalar)
            index += 1
        }
        return String(name)
    }
}
