import CellCore
import Testing
@testable import CellImagefile

private let envVarEnvironment = ["PWD": "/home", "SHELL": "bash", "KOREAN": "한국어", "NULL": ""]

/// One line of `shell/envVarTest`: platform | input | expected.
struct EnvVarCase: CustomTestStringConvertible, Sendable {
    var platform: String
    var input: String
    var expected: String
    var testDescription: String { "\(platform)|\(input)" }

    static var all: [EnvVarCase] {
        Conformance.tableLines("shell/envVarTest").compactMap { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map {
                GoText.trimSpace(String($0))
            }
            guard fields.count == 3 else { return nil }
            return EnvVarCase(platform: fields[0], input: fields[1], expected: fields[2])
        }
    }
}

@Suite struct ShellLexerConformanceTests {
    @Test func envVarTableIsPresent() {
        #expect(EnvVarCase.all.count > 200)
    }

    @Test(arguments: EnvVarCase.all.filter { $0.platform != "W" })
    func envVarTest(_ testCase: EnvVarCase) {
        let lexer = ShellLexer(escapeCharacter: "\\")
        let result: String
        do {
            result = try lexer.processWord(testCase.input, environment: envVarEnvironment)
        } catch {
            #expect(testCase.expected == "error", "unexpected error \(error.message)")
            return
        }
        #expect(result == testCase.expected)
    }

    @Test func wordsTest() {
        var environment: [String: String] = [:]
        var checked = 0
        let lexer = ShellLexer(escapeCharacter: "\\")
        for line in Conformance.tableLines("shell/wordsTest") {
            if line.hasPrefix("ENV ") {
                let assignment = String(line.dropFirst(3).drop { $0 == " " })
                let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
                continue
            }
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            #expect(fields.count == 2, "\(line)")
            guard fields.count == 2 else { continue }
            let input = GoText.trimSpace(fields[0])
            let expected = String(fields[1].drop { $0 == " " }).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let words = (try? lexer.processWords(input, environment: environment)) ?? ["error"]
            #expect(words == expected, "\(input)")
            checked += 1
        }
        #expect(checked >= 20)
    }
}
