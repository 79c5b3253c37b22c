/// A regular expression of a spec (expectedOutput, expectedContents, an isRegex value), compiled
/// once when the spec is read, so a bad one is an error before anything runs. Matching is a
/// search anywhere in the text, as Go's regexp.MatchString is.
public struct TestPattern: @unchecked Sendable {
    public let source: String
    private let regex: Regex<AnyRegexOutput>

    public init(_ source: String) throws {
        self.source = source
        regex = try Regex(source)
    }

    public func matches(_ text: String) -> Bool {
        (try? regex.firstMatch(in: text)) != nil
    }
}
