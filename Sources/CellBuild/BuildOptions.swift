import CellCore
import CellRegistry

/// `cell build`'s options, as docker build takes them.
public struct BuildOptions: Sendable {
    /// The build context: the directory COPY and ADD read from.
    public var contextDirectory: String
    /// -f; nil: Imagefile, else Dockerfile, else Containerfile in the context.
    public var imagefile: String?
    /// -t, each `name[:tag]`.
    public var tags: [String] = []
    /// --build-arg K=V (a bare K takes the value from cell's own environment).
    public var buildArgs: [String: String] = [:]
    /// --target: build up to this stage.
    public var target: String?
    public var noCache = false
    /// --pull: fetch every FROM image again (a missing one is pulled either way).
    public var pullAlways = false
    /// -q: print the image id only.
    public var quiet = false
    /// --label k=v on the final image.
    public var labels: [String: String] = [:]
    /// SOURCE_DATE_EPOCH: every timestamp of the image, and the layers' mtimes clamped to it,
    /// so the same Imagefile and context give the same bytes and the same id.
    public var sourceDateEpoch: Timestamp?

    /// The credentials a FROM image is pulled with, by credentials key (`RegistryHost.credentialKey`):
    /// nil for the user's own (`cell login`'s store); the Engine API gives only those its client
    /// sent (`X-Registry-Config`), as Docker's daemon uses no credentials of its own.
    public var registryCredentials: [String: RegistryCredentials]?

    /// Lets the caller stop the build (the Engine API, when its client goes).
    public var cancellation: BuildCancellation?

    public init(contextDirectory: String) {
        self.contextDirectory = contextDirectory
    }
}
