import CellContainers
import CellImage

/// The configuration a metadataTest checks: an image's, or a running container's.
public struct TargetMetadata: Sendable {
    public var environment: [String] = []
    public var labels: [String: String] = [:]
    /// "8080/tcp" as docker keys them.
    public var exposedPorts: [String] = []
    public var entrypoint: [String] = []
    public var cmd: [String] = []
    public var workdir = ""
    public var volumes: [String] = []
    public var user = ""

    /// `environment` as name → value (the last one wins, as in a process's environment).
    public var environmentValues: [String: String] {
        var values: [String: String] = [:]
        for entry in environment {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return values
    }

    public init(image config: ContainerConfig) {
        environment = config.env ?? []
        labels = config.labels ?? [:]
        exposedPorts = (config.exposedPorts ?? [:]).keys.sorted()
        entrypoint = config.entrypoint ?? []
        cmd = config.cmd ?? []
        workdir = config.workingDir ?? ""
        volumes = (config.volumes ?? [:]).keys.sorted()
        user = config.user ?? ""
    }

    public init(container config: ContainerRecord.Config) {
        environment = config.env
        labels = config.labels
        exposedPorts = config.exposedPorts
        entrypoint = config.entrypoint ?? []
        cmd = config.cmd ?? []
        workdir = config.workingDir
        volumes = config.volumes
        user = config.user
    }
}
