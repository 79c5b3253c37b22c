import CellCore

/// A commandTest: the command's exit code, and its stdout and stderr against the patterns.
enum CommandTestCheck {
    static func evaluate(_ test: StructureTestSpec.CommandTest, on target: StructureTestTarget,
                         globalEnvironment: [StructureTestSpec.EnvironmentVariable]) -> TestResult {
        var result = TestResult(kind: .command, name: test.name)
        let environment = expanded(globalEnvironment + test.environment, over: target.metadata.environmentValues)
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

    /// "KEY=value" for each variable, `$NAME` and `${NAME}` in values replaced by the image's
    /// (or container's) variables and the ones set before it, as container-structure-test does:
    /// `PATH=/opt/bin:$PATH` extends the image's PATH. An unknown name is empty.
    static func expanded(_ variables: [StructureTestSpec.EnvironmentVariable], over base: [String: String]) -> [String] {
        var known = base
        return variables.map { variable in
            var value = ""
            var rest = Substring(variable.value)
            while let dollar = rest.firstIndex(of: "$") {
                value += rest[..<dollar]
                rest = rest[rest.index(after: dollar)...]
                var name: Substring
                if rest.first == "{", let close = rest.firstIndex(of: "}") {
                    name = rest[rest.index(after: rest.startIndex)..<close]
                    rest = rest[rest.index(after: close)...]
                } else {
                    name = rest.prefix { $0 == "_" || $0.isLetter || $0.isNumber }
                    rest = rest[name.endIndex...]
                    if name.isEmpty { value += "$"; continue }
                }
                value += known[String(name)] ?? ""
            }
            value += rest
            known[variable.key] = value
            return "\(variable.key)=\(value)"
        }
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
