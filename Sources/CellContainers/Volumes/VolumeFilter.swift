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
                guard ["true", "1", "false", "0"].contains(value.lowercased()) else {
                    throw CellError.invalidInput("invalid filter 'dangling=\(value)'")
                }
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
                case "dangling": return (users == 0) == ["true", "1"].contains(condition.value.lowercased())
                case "name": return volume.name.contains(condition.value)
                case "driver": return condition.value == "local"
                default:
                    let wanted = condition.value.split(separator: "=", maxSplits: 1).map(String.init)
                    guard let name = wanted.first, let present = volume.labels[name] else { return false }
                    return wanted.count == 1 || present == wanted[1]
                }
            }
        }
    }
}
