import CellFormat
import CellPresentation
import CellRegistry

/// A pull's and a push's progress as Docker's JSON messages: `{"status":..,"id":..}` with
/// `progressDetail` (the byte counts the docker CLI draws its bars from) for a layer's states.
enum RegistryProgressMessages {
    static func message(_ event: PullProgress) -> JSONValue {
        switch event {
        case .pulling(let tag, let repository): return status("Pulling from \(repository)", id: tag)
        case .digest(let digest): return status("Digest: \(digest)")
        case .status(let text): return status("Status: \(text)")
        case .layer(let id, let state):
            if case .downloading(let current, let total) = state {
                return layer(id, state.text, current: current, total: total)
            }
            return layer(id, state.text)
        }
    }

    static func message(_ event: PushProgress) -> JSONValue {
        switch event {
        case .refersTo(let repository): return status("The push refers to repository [\(repository)]")
        case .pushed(let tag, let digest, let size): return status("\(tag): digest: \(digest) size: \(size)")
        case .layer(let id, let state):
            if case .pushing(let current, let total) = state {
                return layer(id, state.text, current: current, total: total)
            }
            return layer(id, state.text)
        }
    }

    /// The last message of a push, which the docker CLI and docker-py read the digest from.
    static func pushResult(tag: String, digest: String, size: Int) -> JSONValue {
        .object([("progressDetail", .object([])),
                 ("aux", .object([("Tag", .string(tag)), ("Digest", .string(digest)), ("Size", .integer(Int64(size)))]))])
    }

    static func status(_ text: String, id: String? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [("status", .string(text))]
        if let id { fields.append(("id", .string(id))) }
        return .object(fields)
    }

    private static func layer(_ id: String, _ words: String, current: Int64? = nil, total: Int64? = nil) -> JSONValue {
        guard let current, let total else {
            return .object([("status", .string(words)), ("progressDetail", .object([])), ("id", .string(id))])
        }
        return .object([("status", .string(words)),
                        ("progressDetail", .object([("current", .integer(current)), ("total", .integer(total))])),
                        ("progress", .string(ProgressBar.text(current, total))), ("id", .string(id))])
    }
}
