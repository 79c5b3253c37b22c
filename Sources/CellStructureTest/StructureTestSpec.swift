/// A container-structure-test file (Google's schema, schemaVersion 2.0.0): what `cell test`
/// checks in an image or a running container.
public struct StructureTestSpec: Sendable {
    /// The file it was read from, as named on the command line (reports and errors show it).
    public var file: String
    public var globalEnvironment: [EnvironmentVariable] = []
    public var commandTests: [CommandTest] = []
    public var fileExistenceTests: [FileExistenceTest] = []
    public var fileContentTests: [FileContentTest] = []
    public var metadataTest: MetadataTest?
    public var runOptions = ContainerRunOptions()

    public init(file: String) {
        self.file = file
    }

    public struct EnvironmentVariable: Sendable {
        public var key: String
        public var value: String
        /// metadataTest with isRegex: `value` compiled, which the actual value must match.
        public var pattern: TestPattern?
    }

    public struct CommandTest: Sendable {
        public var name: String
        /// Commands run before (each in its own container, committed for the next) and after.
        public var setup: [[String]] = []
        public var teardown: [[String]] = []
        public var environment: [EnvironmentVariable] = []
        public var command: String
        public var arguments: [String] = []
        public var exitCode: Int32 = 0
        public var expectedOutput: [TestPattern] = []
        public var excludedOutput: [TestPattern] = []
        public var expectedError: [TestPattern] = []
        public var excludedError: [TestPattern] = []
    }

    public struct FileExistenceTest: Sendable {
        public var name: String
        public var path: String
        public var shouldExist = false
        /// As Go prints an os.FileMode: "-rwxr-xr-x", "drwxr-xr-x", "Lrwxrwxrwx".
        public var permissions: String?
        public var uid: UInt32?
        public var gid: UInt32?
        /// "owner", "group", "other" or "any".
        public var isExecutableBy: String?
    }

    public struct FileContentTest: Sendable {
        public var name: String
        public var path: String
        public var expectedContents: [TestPattern] = []
        public var excludedContents: [TestPattern] = []
    }

    public struct MetadataTest: Sendable {
        public var environment: [EnvironmentVariable] = []
        public var labels: [EnvironmentVariable] = []
        public var exposedPorts: [String] = []
        public var unexposedPorts: [String] = []
        /// nil: not checked; [] : must be empty.
        public var entrypoint: [String]?
        public var cmd: [String]?
        public var workdir: String?
        public var volumes: [String] = []
        public var unmountedVolumes: [String] = []
        public var user: String?
    }

    /// How the containers of commandTests are started (docker run's flags).
    public struct ContainerRunOptions: Sendable {
        public var user: String?
        public var privileged = false
        /// Names of variables passed on from our environment.
        public var environmentNames: [String] = []
        public var environmentFile: String?
        public var capabilities: [String] = []
        /// "host:container[:ro]".
        public var bindMounts: [String] = []

        public init() {}
    }
}
