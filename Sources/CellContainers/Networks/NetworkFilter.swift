import CellCore

/// `network ls --filter` and the API's `filters`: Docker's keys, each key's values or'ed, the
/// keys and'ed.
public struct NetworkFilter {
    private var conditions: [(key: String, value: String)] = []

    public init(_ pairs: [(key: String, value: String)]) throws {
        for (key, value) in pairs {
            switch key {
            case "driver", "id", "name", "scope", "label": break
            case "type":
                guard value == "custom" || value == "builtin" else { throw CellError.invalidInput("invalid filter: 'type'='\(value)'") }
            case "dangling":
                _ = try ListFilterWords.dangling(value)
            default:
                throw CellError.invalidInput("invalid filter '\(key)'")
            }
            conditions.append((key, value))
        }
    }

    public var needsMembers: Bool { conditions.contains { $0.key == "dangling" } }

    /// Whether `network` passes; `hasMembers` says whether any container is on it.
    public func admits(_ network: Network, hasMembers: Bool) -> Bool {
        let keys = Set(conditions.map(\.key))
        return keys.allSatisfy { key in
            conditions.filter { $0.key == key }.contains { matches(network, key: key, value: $0.value, hasMembers: hasMembers) }
        }
    }

    private func matches(_ network: Network, key: String, value: String, hasMembers: Bool) -> Bool {
        switch key {
        case "driver": return network.driver == value
        case "id": return network.id.hasPrefix(value)
        case "name": return network.name.contains(value)
        case "scope": return value == "local"
        case "type": return network.isPredefined == (value == "builtin")
        case "label": return ListFilterWords.label(value, matches: network.labels)
        case "dangling":
            let dangling = (try? ListFilterWords.dangling(value)) ?? false
            return !network.isPredefined && hasMembers != dangling
        default: return false
        }
    }
}
