import CellCore

/// `events --filter`: Docker's keys, each key's values or-ed, the keys and-ed.
public struct EventFilter: Sendable {
    private var values: [String: [String]] = [:]

    static let keys: Set<String> = ["type", "event", "container", "image", "label", "volume", "network", "scope", "daemon"]

    public init(_ conditions: [String]) throws {
        for condition in conditions {
            let parts = condition.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CellError.usage("bad format of filter (expected name=value)") }
            guard EventFilter.keys.contains(parts[0]) else { throw CellError.invalidInput("invalid filter '\(parts[0])'") }
            values[parts[0], default: []].append(parts[1])
        }
    }

    public func admits(_ event: Event) -> Bool {
        func any(_ key: String, _ test: (String) -> Bool) -> Bool {
            guard let wanted = values[key] else { return true }
            return wanted.contains(where: test)
        }
        // `exec_start: sh -c ...` is `exec_start` to a filter, as in Docker.
        let action = event.action.split(separator: ":", maxSplits: 1).first.map(String.init) ?? event.action
        return any("type") { $0 == event.type }
            && any("event") { $0 == action || $0 == event.action }
            && any("container") { event.type == "container" && (event.actorID.hasPrefix($0) || event.attributes["name"] == $0) }
            && any("image") { wanted in
                event.type == "image" ? (event.actorID == wanted || event.attributes["name"] == wanted)
                    : (event.attributes["image"] == wanted || event.attributes["image"]?.hasPrefix(wanted + ":") == true)
            }
            && any("volume") { event.type == "volume" && event.actorID == $0 }
            && any("network") { event.type == "network" && event.actorID == $0 }
            && any("label") { label in
                let pair = label.split(separator: "=", maxSplits: 1).map(String.init)
                guard let value = event.attributes[pair[0]] else { return false }
                return pair.count == 1 || value == pair[1]
            }
            && any("scope") { $0 == "local" }
    }
}
