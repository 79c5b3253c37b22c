import CellCore
import CellFormat
import CellImage

/// An image as the Engine API lists it (`GET /images/json`: moby 24's types.ImageSummary, its
/// fields in Go's order): one entry per image with all its names, which the docker CLI splits
/// into `images`' rows itself. `images`' own rows are `ImageRow`'s.
public enum EngineImageSummary {
    /// `labels`: the image config's, when read (the list reads index.json alone otherwise).
    public static func json(_ image: ImageSummary, labels: [String: String]? = nil) -> JSONValue {
        .object([
            // Unknown unless counted (Docker's -1 without shared-size and container counts).
            ("Containers", .int(-1)),
            ("Created", .integer(image.created?.seconds ?? 0)),
            ("Id", .string(image.id.description)),
            ("Labels", labels.map { .object($0.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }) } ?? .null),
            ("ParentId", .string("")),
            ("RepoDigests", .strings(image.repositoryDigests.map { "\($0.key.familiarRepository)@\($0.value)" }.sorted())),
            ("RepoTags", .strings(image.names.map(\.familiarName))),
            ("SharedSize", .int(-1)),
            ("Size", .integer(image.size)),
            ("VirtualSize", .integer(image.size)),
        ])
    }
}
