import CellCore

/// `ps --filter`: status=, name=, id=, ancestor=, label=, exited=.
public struct ContainerFilter {
    var statuses: [String] = []
    var healths: [String] = []
    var names: [String] = []
    var ids: [String] = []
    var ancestors: [String] = []
    var labels: [String] = []
    var exitCodes: [Int32] = []
    /// An image name or id prefix → the image's id (ancestor=), looked up only when needed.
    private let imageID: (String) -> String?

    public init(_ filters: [String], imageID: @escaping (String) -> String?) throws {
        self.imageID = imageID
        for filter in filters {
            guard let equals = filter.firstIndex(of: "=") else {
                throw CellError.usage("invalid filter '\(filter)'")
            }
            let key = String(filter[..<equals]), value = String(filter[filter.index(after: equals)...])
            switch key {
            case "status":
                guard ["created", "restarting", "running", "removing", "paused", "exited", "dead"].contains(value) else {
                    throw CellError.usage("invalid filter 'status=\(value)'")
                }
                statuses.append(value)
            case "name": names.append(value)
            case "id": ids.append(value)
            case "ancestor": ancestors.append(value)
            case "label": labels.append(value)
            case "health":
                guard ["starting", "healthy", "unhealthy", "none"].contains(value) else {
                    throw CellError.usage("Unrecognised filter value for health: \(value)")
                }
                healths.append(value)
            case "exited":
                guard let code = Int32(value) else { throw CellError.usage("invalid filter 'exited=\(value)'") }
                exitCodes.append(code)
            default:
                throw CellError.usage("invalid filter '\(key)'")
            }
        }
    }

    /// A status filter other than running, or exited=, looks at stopped containers too.
    public var needsAll: Bool { statuses.contains { $0 != "running" } || !exitCodes.isEmpty }

    public func matches(_ container: Container) -> Bool {
        if !statuses.isEmpty && !statuses.contains(container.statusName) { return false }
        if !names.isEmpty && !names.contains(where: { container.name.contains($0.hasPrefix("/") ? String($0.dropFirst()) : $0) }) { return false }
        if !ids.isEmpty && !ids.contains(where: { container.id.hasPrefix($0) }) { return false }
        if !ancestors.isEmpty && !ancestors.contains(where: { matchesAncestor(container, $0) }) { return false }
        if !labels.isEmpty {
            for label in labels {
                let parts = label.split(separator: "=", maxSplits: 1).map(String.init)
                guard let value = container.record.config.labels[parts[0]] else { return false }
                if parts.count == 2 && value != parts[1] { return false }
            }
        }
        if !exitCodes.isEmpty {
            guard case .exited(let code, _) = container.status, exitCodes.contains(code) else { return false }
        }
        if !healths.isEmpty && !healths.contains(container.health?.status ?? "none") { return false }
        return true
    }

    private func matchesAncestor(_ container: Container, _ ancestor: String) -> Bool {
        if container.record.image == ancestor { return true }
        if let id = imageID(ancestor), id == container.record.imageID { return true }
        return container.record.imageID.dropFirst(7).hasPrefix(ancestor)
    }
}
