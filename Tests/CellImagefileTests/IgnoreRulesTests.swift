import CellCore
import Testing
@testable import CellImagefile

@Suite struct IgnoreRulesTests {
    private func rules(_ text: String) throws -> IgnoreRules { try IgnoreRules(parsing: text) }

    @Test func readingCleansPatterns() {
        #expect(IgnoreRules.read("# comment\n  \n/foo/\n! /bar/../baz\n a//b/./c \n#x\n ../up\n/\n")
            == ["foo", "!baz", "a/b/c", "../up", "/"])
    }

    @Test func basicMatching() throws {
        let ignore = try rules("*.md\n!README.md\nnode_modules\n**/*.log\ntmp/**\ndocs/*/draft\n")
        #expect(ignore.isExcluded("CHANGES.md"))
        #expect(!ignore.isExcluded("README.md"))
        #expect(!ignore.isExcluded("docs/guide.md"))  // `*` does not cross `/`
        #expect(ignore.isExcluded("node_modules"))
        #expect(ignore.isExcluded("node_modules/x/y.js"))  // a parent matches
        #expect(!ignore.isExcluded("src/node_modules"))
        #expect(ignore.isExcluded("a.log") && ignore.isExcluded("a/b/c.log"))
        #expect(ignore.isExcluded("tmp/x") && !ignore.isExcluded("tmpfile"))
        #expect(ignore.isExcluded("docs/v1/draft/x") && !ignore.isExcluded("docs/v1/v2/draft"))
        #expect(!ignore.isExcluded(".") && !ignore.isExcluded(""))
        #expect(ignore.isExcluded("./CHANGES.md"))
    }

    @Test func lastMatchWins() throws {
        let ignore = try rules("docs\n!docs/keep.md\ndocs/keep.md\n")
        #expect(ignore.isExcluded("docs/keep.md"))
        let reincluded = try rules("docs\n!docs/keep.md\n")
        #expect(!reincluded.isExcluded("docs/keep.md"))
        #expect(reincluded.isExcluded("docs/other.md"))
    }

    @Test func wildcardsAndClasses() throws {
        let ignore = try rules("file?.txt\n[a-c]*.bin\n[^x]y\n**\n!keep/**\n")
        #expect(ignore.isExcluded("anything/at/all"))
        #expect(!ignore.isExcluded("keep/a"))
        let narrow = try rules("file?.txt\n[a-c]*.bin\n[^x]y\nesc\\*aped\n")
        #expect(narrow.isExcluded("file1.txt") && !narrow.isExcluded("file12.txt") && !narrow.isExcluded("file/.txt"))
        #expect(narrow.isExcluded("b1.bin") && !narrow.isExcluded("d1.bin"))
        #expect(narrow.isExcluded("ay") && !narrow.isExcluded("xy"))
        #expect(narrow.isExcluded("esc*aped") && !narrow.isExcluded("escXaped"))
        #expect(throws: CellError.self) { try IgnoreRules(patterns: ["[abc"]) }
        #expect(throws: CellError.self) { try IgnoreRules(patterns: ["!"]) }
    }

    @Test func prefixAndSuffixForms() throws {
        let ignore = try rules("**/secret\nbuild**\n")
        #expect(ignore.isExcluded("secret") && ignore.isExcluded("a/b/secret"))
        #expect(ignore.isExcluded("build") && ignore.isExcluded("builder/x"))
    }

    @Test func directoriesThatMayHoldReincludedFiles() throws {
        let ignore = try rules("vendor\n!vendor/keep/**\n*/cache\n!*/cache/index\nlogs\n")
        #expect(ignore.mayReincludePaths(inside: "vendor"))
        #expect(ignore.mayReincludePaths(inside: "vendor/keep"))
        #expect(!ignore.mayReincludePaths(inside: "vendor/other"))
        #expect(ignore.mayReincludePaths(inside: "app/cache"))
        // `logs/cache/index` would match `!*/cache/index`, so `logs` must be walked; `logs/sub` need not.
        #expect(ignore.mayReincludePaths(inside: "logs"))
        #expect(!ignore.mayReincludePaths(inside: "logs/sub"))
        #expect(!(try rules("logs\n")).mayReincludePaths(inside: "logs"))
        #expect(try rules("x\n!**/keep\n").mayReincludePaths(inside: "x"))
    }
}
