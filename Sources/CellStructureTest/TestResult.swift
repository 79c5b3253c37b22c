/// One test's outcome, as the reports show it.
public struct TestResult: Sendable {
    public enum Kind: String, Sendable {
        case command = "Command Test"
        case fileExistence = "File Existence Test"
        case fileContent = "File Content Test"
        case metadata = "Metadata Test"
    }

    public var kind: Kind
    public var name: String
    /// Why it failed; empty when it passed.
    public var errors: [String] = []
    public var stdout = ""
    public var stderr = ""
    /// Seconds.
    public var duration = 0.0

    public var passed: Bool { errors.isEmpty }
    /// "Command Test: NAME", as container-structure-test names its results.
    public var title: String { "\(kind.rawValue): \(name)" }

    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }
}

/// The results of one spec file.
public struct SpecResults: Sendable {
    public var file: String
    public var results: [TestResult]
    /// Seconds, wall clock, for the file's tests together.
    public var duration: Double

    public init(file: String, results: [TestResult], duration: Double) {
        self.file = file
        self.results = results
        self.duration = duration
    }
}
