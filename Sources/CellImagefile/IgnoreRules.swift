import CellCore

/// `.dockerignore` / `.cellignore` rules with Docker's semantics (moby/patternmatcher and
/// BuildKit's ignore-file reader): `#` comment lines, `!` exceptions, `**`, a leading `/` and `..`
/// cleaned away, patterns matching a path or any of its parent directories, the last match winning.
public struct IgnoreRules: Sendable, Equatable {
    public let patterns: [IgnorePattern]

    /// Whether any rule is an exception (`!pattern`).
    public var hasExceptions: Bool { patterns.contains { $0.isException } }

    /// Compiles patterns as already read (each cleaned; `!` marks an exception).
    public init(patterns: [String]) throws(CellError) {
        var compiled: [IgnorePattern] = []
        for raw in patterns {
            var pattern = GoText.trimSpace(raw)
            if pattern.isEmpty { continue }
            pattern = PathCleaning.clean(pattern)
            var isException = false
            if pattern.hasPrefix("!") {
                guard pattern.count > 1 else { throw CellError.invalidInput("illegal exclusion pattern: \"!\"") }
                isException = true
                pattern.removeFirst()
            }
            compiled.append(try IgnorePattern(pattern, isException: isException))
        }
        self.patterns = compiled
    }

    /// Reads an ignore file's text. `fileName` names it in errors.
    public init(parsing text: String, fileName: String = ".dockerignore") throws(CellError) {
        do {
            try self.init(patterns: Self.read(text))
        } catch {
            throw CellError.invalidInput("\(fileName): \(error.message)")
        }
    }

    /// The pattern lines of an ignore file: comments and blanks dropped, `!` kept, paths cleaned
    /// and made relative to the context.
    public static func read(_ text: String) -> [String] {
        var patterns: [String] = []
        var isFirst = true
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(rawLine)
            if isFirst, line.unicodeScalars.first == "\u{FEFF}" { line = String(line.unicodeScalars.dropFirst()) }
            isFirst = false
            if line.hasPrefix("#") { continue }
            var pattern = GoText.trimSpace(line)
            if pattern.isEmpty { continue }
            let isException = pattern.hasPrefix("!")
            if isException { pattern = GoText.trimSpace(String(pattern.dropFirst())) }
            if !pattern.isEmpty {
                pattern = PathCleaning.clean(pattern)
                if pattern.count > 1 && pattern.hasPrefix("/") { pattern.removeFirst() }
            }
            patterns.append(isException ? "!" + pattern : pattern)
        }
        return patterns
    }

    /// Whether the context path (relative, slash-separated) is left out of the build context.
    /// The context root itself is never excluded.
    public func isExcluded(_ relativePath: String) -> Bool {
        let path = PathCleaning.clean(relativePath)
        if path == "." { return false }
        let components = path.split(separator: "/").map(String.init)
        let parents = (1..<max(components.count, 1)).map { components[0..<$0].joined(separator: "/") }
        var excluded = false
        for pattern in patterns {
            // An exclusion can only change an included path and an exception only an excluded one.
            if pattern.isException != excluded { continue }
            if pattern.matches(path) || parents.contains(where: pattern.matches) {
                excluded = !pattern.isException
            }
        }
        return excluded
    }

    /// Whether an excluded directory may still hold re-included paths (an exception pattern could
    /// match something inside it). When false, a context walker can skip the directory entirely.
    public func mayReincludePaths(inside directory: String) -> Bool {
        let path = PathCleaning.clean(directory)
        if path == "." { return hasExceptions }
        return patterns.contains { $0.isException && $0.mayMatch(below: path) }
    }
}
