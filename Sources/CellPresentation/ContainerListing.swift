import CellContainers
import CellCore
import CellFormat

/// How containers look in `ps` rows (docker's shape; the keys `--format` templates name).
public enum ContainerListing {
    public static let headers: [String: String] = [
        "ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
        "RunningFor": "CREATED", "Status": "STATUS", "Ports": "PORTS", "Names": "NAMES", "Size": "SIZE",
        "Labels": "LABELS", "Mounts": "MOUNTS", "Networks": "NETWORKS", "State": "STATE", "LocalVolumes": "LOCAL VOLUMES",
    ]

    /// `imageSize`: the size of the container's image, when known, for Docker's
    /// `8B (virtual 2.14MB)` (its writable layer, then that plus the image). Without
    /// `measuringSize` the writable layer is not walked and Size is Docker's unmeasured "0B".
    public static func row(_ container: Container, now: Timestamp, truncate: Bool, imageSize: Int64? = nil,
                           measuringSize: Bool = true) -> JSONValue {
        let created = Timestamp(rfc3339: container.record.created) ?? now
        var command = ([container.record.path] + container.record.args).joined(separator: " ")
        if truncate { command = Presentation.ellipsis(command, 20) }
        return .object([
            ("Command", .string(GoQuote.quote(command))),
            ("CreatedAt", .string(Presentation.goTimeString(created))),
            ("ID", .string(truncate ? container.shortID : container.id)),
            ("Image", .string(container.record.image)),
            ("Labels", .string(container.record.config.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))),
            ("LocalVolumes", .string("0")),
            ("Mounts", .string(container.record.hostConfig.binds.map { String($0.split(separator: ":").first ?? "") }.joined(separator: ","))),
            ("Names", .string(container.name)),
            ("Networks", .string(NetworkViews.names(of: container.record))),
            ("Ports", .string(portsText(container))),
            ("RunningFor", .string(Presentation.since(created, now: now))),
            ("Size", .string(measuringSize ? sizeText(writable: FileSystem.diskUsage("\(container.directory)/upper"), imageSize: imageSize)
                                           : sizeText(writable: 0, imageSize: nil))),
            ("State", .string(container.status.name)),
            ("Status", .string(statusText(container.status, now: now) + statusSuffix(container))),
        ])
    }

    static func sizeText(writable: Int64, imageSize: Int64?) -> String {
        let text = Presentation.humanSize(writable)
        guard let imageSize else { return text }
        return "\(text) (virtual \(Presentation.humanSize(writable + imageSize)))"
    }

    /// ` (Paused)`, or a running container's health: ` (healthy)`, ` (health: starting)`, ` (unhealthy)`.
    static func statusSuffix(_ container: Container) -> String {
        guard container.isRunning else { return "" }
        if container.isPaused { return " (Paused)" }
        guard let health = container.health else { return "" }
        return health.status == "starting" ? " (health: starting)" : " (\(health.status))"
    }

    /// `Up 18 seconds`, `Exited (130) 4 seconds ago`, `Created`.
    public static func statusText(_ status: ContainerStatus, now: Timestamp) -> String {
        switch status {
        case .created: return "Created"
        case .running(let started):
            return "Up " + HumanUnits.duration(seconds: max(0, started.secondsUntil(now)))
        case .exited(let code, let finished):
            return "Exited (\(code)) " + Presentation.since(finished, now: now)
        case .restarting(let code, let finished):
            return "Restarting (\(code)) " + Presentation.since(finished, now: now)
        }
    }

    /// The published ports of a running container and the exposed ones:
    /// `5001/tcp, 0.0.0.0:49153->5000/tcp, [::]:49153->5000/tcp`.
    public static func portsText(_ container: Container) -> String {
        PortListing.column(published: container.publishedPorts, exposed: container.record.config.exposedPorts)
    }

}
