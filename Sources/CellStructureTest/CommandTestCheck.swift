import CellCore

/// A commandTest: the command's exit code, and its stdout and stderr against the patterns.
enum CommandTestCheck {
    static func evaluate(_ test: StructureTestSpec.CommandTest, on target: StructureTestTarget,
                         globalEnvironment: [StructureTestSpec.EnvironmentVariable]) -> TestResult {
        var result = TestResult(kind: .command, name: test.name)
        let environment = (globalEnvironment + test.environment).map { "\($0.key)=\($0.value)" }
        let output: CommandOutput
        do {
            output = try target.run([test.command] + test.arguments, environment: environment,
                                    setup: test.setup, teardown: test.teardown)
        } catch {
            result.errors.append("\(error)")
            return result
        }
        result.stdout = output.stdout
        result.stderr = output.stderr
        if output.exitCode != test.exitCode {
            result.errors.append("Test '\(test.name)' exited with incorrect error code. Expected: \(test.exitCode), Actual: \(output.exitCode)")
        }
        check(output.stdout, expected: test.expectedOutput, excluded: test.excludedOutput, what: "output", into: &result)
        check(output.stderr, expected: test.expectedError, excluded: test.excludedError, what: "error", into: &result)
        return result
    }

    /// container-structure-test's wording: "Expected string 'X' not found in output 'Y'".
    static func check(_ text: String, expected: [TestPattern], excluded: [TestPattern], what: String, into result: inout TestResult) {
        for pattern in expected where !pattern.matches(text) {
            result.errors.append("Expected string '\(pattern.source)' not found in \(what) '\(text)'")
        }
        for pattern in excluded where pattern.matches(text) {
            result.errors.append("Excluded string '\(pattern.source)' found in \(what) '\(text)'")
        }
    }
}
