import CellFormat

/// The results of every spec file, printed as `cell test --output` asks: text (a line per
/// test, the failures' reasons under it, a summary), json (container-structure-test's fields)
/// or junit (XML for CI systems).
public struct TestReport: Sendable {
    public var specs: [SpecResults]

    public init(specs: [SpecResults]) {
        self.specs = specs
    }

    public var passed: Int { specs.reduce(0) { $0 + $1.results.filter(\.passed).count } }
    public var failed: Int { specs.reduce(0) { $0 + $1.results.filter { !$0.passed }.count } }
    public var duration: Double { specs.reduce(0) { $0 + $1.duration } }

    public enum Format: String, CaseIterable, Sendable {
        case text, json, junit
    }

    public func rendered(_ format: Format) -> String {
        switch format {
        case .text: return text
        case .json: return json
        case .junit: return junit
        }
    }

    var text: String {
        var out = ""
        for spec in specs {
            out += "=== \(spec.file)\n"
            for result in spec.results {
                out += "\(result.passed ? "PASS" : "FAIL")  \(result.title) (\(milliseconds(result.duration)) ms)\n"
                for error in result.errors {
                    out += error.split(separator: "\n", omittingEmptySubsequences: false).map { "      \($0)\n" }.joined()
                }
            }
        }
        out += "\n\(passed) passed, \(failed) failed (\(seconds(duration)) s)\n"
        return out
    }

    /// container-structure-test's JSON: Pass, Fail, Total, Duration (ns) and a Results entry per test.
    var json: String {
        let results: [JSONValue] = specs.flatMap { spec in
            spec.results.map { result in
                var fields: [(String, JSONValue)] = [
                    ("Name", .string(result.title)), ("Pass", .bool(result.passed)),
                ]
                if !result.stdout.isEmpty { fields.append(("Stdout", .string(result.stdout))) }
                if !result.stderr.isEmpty { fields.append(("Stderr", .string(result.stderr))) }
                if !result.errors.isEmpty { fields.append(("Errors", .strings(result.errors))) }
                fields.append(("Duration", .integer(Int64(result.duration * 1e9))))
                return .object(fields)
            }
        }
        let document = JSONValue.object([
            ("Pass", .int(passed)), ("Fail", .int(failed)), ("Total", .int(passed + failed)),
            ("Duration", .integer(Int64(duration * 1e9))), ("Results", .array(results)),
        ])
        return document.serialized(indent: "  ") + "\n"
    }

    var junit: String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites failures=\"\(failed)\" tests=\"\(passed + failed)\" time=\"\(seconds(duration))\">\n"
        for spec in specs {
            let failures = spec.results.filter { !$0.passed }.count
            out += "  <testsuite name=\"\(xml(spec.file))\" failures=\"\(failures)\" tests=\"\(spec.results.count)\" time=\"\(seconds(spec.duration))\">\n"
            for result in spec.results {
                out += "    <testcase name=\"\(xml(result.title))\" time=\"\(seconds(result.duration))\""
                if result.passed {
                    out += "/>\n"
                } else {
                    out += ">\n      <failure>\(xml(result.errors.joined(separator: "\n")))</failure>\n    </testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    private func milliseconds(_ seconds: Double) -> Int { Int((seconds * 1000).rounded()) }

    private func seconds(_ value: Double) -> String { HumanUnits.fixed(value, digits: 3) }

    /// Text in XML attributes and elements; characters XML 1.0 cannot carry become U+FFFD.
    private func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
            default: out.unicodeScalars.append(scalar.value < 0x20 ? "\u{FFFD}" : scalar)
            }
        }
        return out
    }
}
