import CellCore
import CellImage

/// `--pull` of run, create and build: when an image is fetched from its registry before use.
public enum PullPolicy: String, Sendable {
    /// Only when the store does not have it (run's and create's default).
    case missing
    /// Every time: a newer image under the name replaces the local one.
    case always
    /// Never: a missing image is an error.
    case never

    /// Docker's words, and its error for anything else. `build --pull` is `always`.
    public init(parsing text: String) throws {
        guard let policy = PullPolicy(rawValue: text.lowercased()) else {
            throw CellError.usage("invalid pull option: '\(text)': must be one of \"always\", \"missing\" or \"never\"")
        }
        self = policy
    }
}

extension ImagePuller {
    /// The reference to pull before `text` is used, as `policy` says; nil when the store's
    /// image is to be used as it is (or `text` is no name a registry could have: an id).
    public func referenceToPull(_ text: String, policy: PullPolicy) throws -> ImageReference? {
        switch policy {
        case .never: return nil
        case .missing: if try store.find(text) != nil { return nil }
        case .always: break
        }
        guard let reference = try? ImageReference(parsing: text) else { return nil }
        // A bare id prefix the store lacks is not pulled from Docker Hub's library.
        if policy == .always, let found = try store.find(text), !found.names.contains(reference) { return nil }
        return reference
    }
}
