import CellFormat

/// `version`'s document: docker/cli's versionInfo, a `Client` (clientVersion) and a `Server`
/// (moby's types.Version, with an Engine component whose Details carry the keys docker's default
/// template indexes). cell is one binary, so both describe it; `version` is the Docker release
/// whose CLI and API cell follows, which tools read to decide what they may ask for.
public struct VersionInformation: Sendable {
    public var dockerVersion: String
    public var apiVersion: String
    public var minimumAPIVersion: String
    public var cellVersion: String
    /// Go's GOARCH spelling (amd64, arm64).
    public var architecture: String
    public var kernelVersion: String
    /// Go's time.ANSIC, as docker prints build times.
    public var buildTime: String

    public init(dockerVersion: String, apiVersion: String, minimumAPIVersion: String, cellVersion: String,
                architecture: String, kernelVersion: String, buildTime: String) {
        self.dockerVersion = dockerVersion
        self.apiVersion = apiVersion
        self.minimumAPIVersion = minimumAPIVersion
        self.cellVersion = cellVersion
        self.architecture = architecture
        self.kernelVersion = kernelVersion
        self.buildTime = buildTime
    }

    public var document: JSONValue {
        // Go marshals Details (a map) with its keys sorted.
        let engineDetails: [(String, JSONValue)] = [
            ("ApiVersion", .string(apiVersion)), ("Arch", .string(architecture)), ("BuildTime", .string(buildTime)),
            ("Experimental", .string("false")), ("GitCommit", .string(cellVersion)), ("GoVersion", .string("swift")),
            ("KernelVersion", .string(kernelVersion)), ("MinAPIVersion", .string(minimumAPIVersion)), ("Os", .string("linux")),
        ]
        // clientVersion leaves Platform out when the build names none (docker's own source builds).
        let client: JSONValue = .object([
            ("Version", .string(dockerVersion)), ("ApiVersion", .string(apiVersion)), ("DefaultAPIVersion", .string(apiVersion)),
            ("GitCommit", .string(cellVersion)), ("GoVersion", .string("swift")), ("Os", .string("linux")),
            ("Arch", .string(architecture)), ("BuildTime", .string(buildTime)), ("Context", .string("default")),
        ])
        let server: JSONValue = .object([
            ("Platform", .object([("Name", .string("cell \(cellVersion)"))])),
            ("Components", .array([
                .object([("Name", .string("Engine")), ("Version", .string(dockerVersion)), ("Details", .object(engineDetails))]),
                .object([("Name", .string("cell")), ("Version", .string(cellVersion)),
                         ("Details", .object([("GitCommit", .string(cellVersion))]))]),
            ])),
            ("Version", .string(dockerVersion)), ("ApiVersion", .string(apiVersion)), ("MinAPIVersion", .string(minimumAPIVersion)),
            ("GitCommit", .string(cellVersion)), ("GoVersion", .string("swift")), ("Os", .string("linux")),
            ("Arch", .string(architecture)), ("KernelVersion", .string(kernelVersion)), ("BuildTime", .string(buildTime)),
        ])
        return .object([("Client", client), ("Server", server)])
    }
}
