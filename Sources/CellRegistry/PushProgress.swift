/// What a push reports as it goes, in the words of Docker's progress lines.
public enum PushProgress: Sendable {
    /// `The push refers to repository [127.0.0.1:5000/tools/busybox]`
    case refersTo(repository: String)
    /// A layer (its short diff_id, as Docker names layers when pushing) and how it stands.
    case layer(id: String, status: LayerStatus)
    /// `1: digest: sha256:... size: 527`
    case pushed(tag: String, digest: String, size: Int)

    public enum LayerStatus: Sendable, Equatable {
        case preparing
        case waiting
        case pushing(current: Int64, total: Int64)
        case pushed
        case alreadyExists
        case mounted(from: String)

        public var text: String {
            switch self {
            case .preparing: return "Preparing"
            case .waiting: return "Waiting"
            case .pushing: return "Pushing"
            case .pushed: return "Pushed"
            case .alreadyExists: return "Layer already exists"
            case .mounted(let from): return "Mounted from \(from)"
            }
        }
    }
}
