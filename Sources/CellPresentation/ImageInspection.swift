import CellCore
import CellFormat
import CellImage

/// The JSON `docker image inspect` prints, with its field names and order.
public enum ImageInspection {
    public static func json(_ image: Image) -> JSONValue {
        let config = image.config.config ?? ContainerConfig()
        let history = image.config.history ?? []
        return .object([
            ("Id", .string(image.id.description)),
            ("RepoTags", .array(image.names.map { .string($0.familiarName) })),
            ("RepoDigests", .array(image.summary.repositoryDigests.map { "\($0.key.familiarRepository)@\($0.value)" }.sorted().map { .string($0) })),
            ("Parent", .string("")),
            ("Comment", .string(history.last?.comment ?? "")),
            ("Created", .string(image.config.created ?? Timestamp.goZero.rfc3339)),
            ("DockerVersion", .string("")),
            ("Author", .string(image.config.author ?? "")),
            ("Config", containerConfig(config)),
            ("Architecture", .string(image.config.architecture)),
            ("Os", .string(image.config.os)),
            ("Size", .integer(image.summary.size)),
            ("GraphDriver", .object([
                ("Data", .null),
                ("Name", .string("overlay")),
            ])),
            ("RootFS", .object([
                ("Type", .string(image.config.rootfs.type)),
                ("Layers", .array(image.diffIDs.map { .string($0.description) })),
            ])),
            ("Metadata", .object([("LastTagTime", .string(Timestamp.goZero.rfc3339))])),
        ])
    }

    /// docker's container config shape (also used under a container's `Config`).
    static func containerConfig(_ config: ContainerConfig, hostname: String = "", image: String = "",
                                tty: Bool = false, openStdin: Bool = false) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("Hostname", .string(hostname)),
            ("Domainname", .string("")),
            ("User", .string(config.user ?? "")),
            ("AttachStdin", .bool(false)),
            ("AttachStdout", .bool(false)),
            ("AttachStderr", .bool(false)),
        ]
        if let ports = config.exposedPorts, !ports.isEmpty {
            pairs.append(("ExposedPorts", .object(ports.keys.sorted().map { ($0, .object([])) })))
        }
        pairs += [
            ("Tty", .bool(tty)),
            ("OpenStdin", .bool(openStdin)),
            ("StdinOnce", .bool(false)),
            ("Env", strings(config.env)),
            ("Cmd", strings(config.cmd)),
        ]
        if let healthcheck = config.healthcheck {
            pairs.append(("Healthcheck", .object([("Test", strings(healthcheck.test))])))
        }
        pairs += [
            ("Image", .string(image)),
            ("Volumes", config.volumes.map { volumes in .object(volumes.keys.sorted().map { ($0, .object([])) }) } ?? .null),
            ("WorkingDir", .string(config.workingDir ?? "")),
            ("Entrypoint", strings(config.entrypoint)),
            ("OnBuild", strings(config.onBuild)),
            ("Labels", config.labels.map { labels in .object(labels.keys.sorted().map { ($0, .string(labels[$0] ?? "")) }) } ?? .null),
        ]
        if let stopSignal = config.stopSignal { pairs.append(("StopSignal", .string(stopSignal))) }
        if let shell = config.shell { pairs.append(("Shell", strings(shell))) }
        return .object(pairs)
    }

    static func strings(_ values: [String]?) -> JSONValue {
        values.map { .array($0.map { .string($0) }) } ?? .null
    }
}
