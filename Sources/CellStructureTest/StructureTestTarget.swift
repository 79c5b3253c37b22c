/// What a spec is checked against: an image (each command in a fresh container, files and
/// metadata read from the image without running it) or a running container (commands exec'd
/// into it, files read from its root as it is now).
public protocol StructureTestTarget: AnyObject, Sendable {
    var metadata: TargetMetadata { get }
    /// An fd of the root directory the file tests resolve their paths in (O_PATH).
    var rootDirectory: Int32 { get }
    /// Runs `setup`, then `command`, then `teardown`; the command's output. Throws when the
    /// command could not be started at all (a setup command failing is an error too).
    func run(_ command: [String], environment: [String], setup: [[String]], teardown: [[String]]) throws -> CommandOutput
}
