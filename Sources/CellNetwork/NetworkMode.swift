/// The network a container joins: one value, decoded from `--network` in one place.
public enum NetworkMode: String, Equatable, Sendable {
    /// A new network namespace with the loopback interface up.
    case `private`
    /// The host's network namespace.
    case host
    /// A new network namespace with nothing configured (lo stays down).
    case none
    /// Another container's network namespace (`--network container:NAME`), joined at each start.
    case container

    /// `--network NAME` as Docker names the modes cell has (its records keep the name given);
    /// nil for a network cell does not know.
    public init?(dockerName: String) {
        switch dockerName {
        case "default", "bridge", "private": self = .private
        case "host": self = .host
        case "none": self = .none
        default: return nil
        }
    }
}
