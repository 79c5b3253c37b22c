import CellCore

/// Locates the shared conformance data (`/work/shared/conformance`, i.e. `../shared/conformance`
/// from the package root) without copying it into the repository.
enum Conformance {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = FileSystem.dirname(of: path) }
        return FileSystem.dirname(of: path) + "/shared/conformance/buildkit-dockerfile"
    }()

    static func read(_ relative: String) -> String {
        guard let bytes = try? FileSystem.readFile(root + "/" + relative) else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func cases(_ directory: String) -> [String] {
        ((try? FileSystem.contentsOfDirectory(root + "/" + directory)) ?? []).sorted()
    }

    static var parserCases: [String] { cases("parser/testfiles") }
    static var negativeCases: [String] { cases("parser/testfiles-negative") }

    /// Lines of a test table, split as BuildKit's lex tests do (on "\n", comments and blanks dropped).
    static func tableLines(_ file: String) -> [String] {
        read(file).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { !$0.hasPrefix("#") && !$0.isEmpty }
    }
}
