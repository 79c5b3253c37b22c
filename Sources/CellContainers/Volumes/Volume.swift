#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CellCore

/// A volume: a directory of the store that containers mount, and that outlives them.
public struct Volume: Codable, Sendable, Equatable {
    public var name: String
    /// RFC 3339, as Docker's inspect shows it.
    public var createdAt: String
    public var labels: [String: String]
    /// `--opt`s as given (`type`, `device`, `o`).
    public var options: [String: String]
    /// Made for an image's VOLUME or a `-v /path` without a name: `rm -v` and a `--rm`
    /// container take it with them, and `volume prune` removes it when unused.
    public var anonymous: Bool

    public init(name: String, createdAt: String, labels: [String: String] = [:], options: [String: String] = [:],
                anonymous: Bool = false) {
        self.name = name
        self.createdAt = createdAt
        self.labels = labels
        self.options = options
        self.anonymous = anonymous
    }
}
