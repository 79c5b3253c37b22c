import CellCore
import Testing
@testable import CellImagefile

@Suite struct ShellLexerTests {
    let environment = ["FILE": "archive.tar.gz", "PATHS": "/a/b/a/b", "EMPTY": ""]

    private func expand(_ word: String, escape: Unicode.Scalar = "\\") throws -> String {
        try ShellLexer(escapeCharacter: escape).processWord(word, environment: environment)
    }

    @Test func patternRemoval() throws {
        #expect(try expand("${FILE#*.}") == "tar.gz")
        #expect(try expand("${FILE##*.}") == "gz")
        #expect(try expand("${FILE%.*}") == "archive.tar")
        #expect(try expand("${FILE%%.*}") == "archive")
        #expect(try expand("${PATHS/a/x}") == "/x/b/a/b")
        #expect(try expand("${PATHS//a/x}") == "/x/b/x/b")
        #expect(try expand("${PATHS//\\//-}") == "-a-b-a-b")
        #expect(throws: CellError.self) { try expand("${FILE:#x}") }
    }

    @Test func questionModifiers() throws {
        #expect(throws: CellError.invalidInput("failed to process \"${NOPE?must be set}\": NOPE: must be set")) {
            try expand("${NOPE?must be set}")
        }
        #expect(try expand("${EMPTY?}") == "")
        #expect(throws: CellError.self) { try expand("${EMPTY:?}") }
        #expect(try expand("${EMPTY-x}${EMPTY:-y}${NOPE+z}${EMPTY+w}") == "yw")
    }

    @Test func backtickEscape() throws {
        #expect(try expand("a`$FILE b\\c", escape: "`") == "a$FILE b\\c")
        #expect(try expand("\"`\"q`\"\"", escape: "`") == "\"q\"")
    }

    @Test func leavingUnsetVariables() throws {
        var lexer = ShellLexer()
        lexer.leavesUnsetVariables = true
        #expect(try lexer.processWord("$A ${B} ${C:-d} $FILE", environment: environment) == "$A ${B} ${C:-d} archive.tar.gz")
    }

    @Test func wordsSplitOnExpandedSpaces() throws {
        let words = try ShellLexer().processWords("a${V}b \"c d\" 'e $V'", environment: ["V": " 1  2 "])
        #expect(words == ["a", "1", "2", "b", "c d", "e $V"])
    }
}
