/// What a pull reports as it goes, in the words of Docker's progress lines; the face prints
/// them (a line each when not on a terminal, updated in place on one).
public enum PullProgress: Sendable {
    /// `latest: Pulling from library/busybox`
    case pulling(tag: String, repository: String)
    /// A layer (its short digest) and how it stands.
    case layer(id: String, status: LayerStatus)
    /// `Digest: sha256:...`
    case digest(String)
    /// `Status: Downloaded newer image for busybox:latest` / `Image is up to date for ...`
    case status(String)

    public enum LayerStatus: Sendable, Equatable {
        case alreadyExists
        case pullingFSLayer
        case downloading(current: Int64, total: Int64)
        case verifying
        case downloadComplete
        case extracting
        case pullComplete

        /// Docker's word for it.
        public var text: String {
            switch self {
            case .alreadyExists: return "Already exists"
            case .pullingFSLayer: return "Pulling fs layer"
            case .downloading: return "Downloading"
            case .verifying: return "Verifying Checksum"
            case .downloadComplete: return "Download complete"
            case .extracting: return "Extracting"
            case .pullComplete: return "Pull complete"
            }
        }
    }
}
