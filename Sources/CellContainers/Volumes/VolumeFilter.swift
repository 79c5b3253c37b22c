import CellCore

/// `volume ls --filter` and the API's `filters`: dangling, name, driver, label; each key's
/// values or'ed, the keys and'ed.
public struct VolumeFilter {
    private var conditions: [(key: String, value: String)] = []

    public init(_ pairs: [(key: String, value: String)]) throws {
        for (key, value) in pairs {
            switch key {
            case "name", "driver", "label": break
            case "dangling":
                _ = try ListFilterWords.dangling(value)
            default:
                throw CellError.invalidInput("invalid filter '\(key)'")
            }
            conditions.append((key, value))
        }
    }

    /// Whether `volume` passes; `users` is how many containers use it.
    public func admits(_ volume: Volume, users: Int) -> Bool {
        Set(conditions.map(\.key)).allSatisfy { key in
            conditions.filter { $0.key == key }.contains { condition in
                switch key {
                case "dangling": return (users == 0) == ((try? ListFilterWords.dangling(condition.value)) ?? false)
                case "name": return volume.name.contains(condition.value)
                case "driver": return condition.value == "local"
                default: return ListFilterWords.label(condition.value, matches: volume.labels)
                }
            }
        }
    }
}
