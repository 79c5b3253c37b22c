import CellContainers
import CellCore
import CellFormat

/// The JSON `docker container inspect` prints, with its field names and order.
public enum ContainerInspection {
    public static func json(_ container: Container) -> JSONValue {
        let record = container.record
        let state = container.state
        let status = container.status
        var exitCode: Int64 = Int64(state?.exitCode ?? 0)
        var finishedAt = state?.finishedAt
        if case .exited(let code, let finished) = status { exitCode = Int64(code); finishedAt = finished }
        if case .restarting(let code, let finished) = status { exitCode = Int64(code); finishedAt = finished }
        let running = container.isRunning
        let defaultBridge = container.record.networks?["bridge"]
        let ports = container.publishedPorts
        var portTable: [(String, JSONValue)] = []
        for exposed in record.config.exposedPorts {
            let matches = ports.filter { "\($0.containerPort)/\($0.protocol.rawValue)" == exposed }
            portTable.append((exposed, matches.isEmpty ? .null : .array(matches.map {
                .object([("HostIp", .string($0.hostAddress)), ("HostPort", .string(String($0.hostPort)))])
            })))
        }
        let bindings: [(String, JSONValue)] = Dictionary(grouping: record.hostConfig.portBindings) { "\($0.containerPort)/\($0.proto)" }
            .sorted { $0.key < $1.key }
            .map { key, values in (key, .array(values.map {
                .object([("HostIp", .string($0.hostIP)), ("HostPort", .string($0.hostPort == 0 ? "" : String($0.hostPort)))])
            })) }
        var config = ContainerInspectionConfig.json(record)
        config["Image"] = .string(record.image)
        return .object([
            ("Id", .string(record.id)),
            ("Created", .string(record.created)),
            ("Path", .string(record.path)),
            ("Args", .strings(record.args)),
            ("State", .object([
                ("Status", .string(container.statusName)),
                ("Running", .bool(running)),
                ("Paused", .bool(container.isPaused)),
                ("Restarting", .bool({ if case .restarting = status { return true } else { return false } }())),
                ("OOMKilled", .bool(state?.oomKilled ?? false)),
                ("Dead", .bool(false)),
                ("Pid", .integer(running ? Int64(state?.pid ?? 0) : 0)),
                ("ExitCode", .integer(exitCode)),
                ("Error", .string(state?.error ?? "")),
                ("StartedAt", .string((state?.startedAt ?? Timestamp.goZero).rfc3339Nano)),
                ("FinishedAt", .string(running ? Timestamp.goZero.rfc3339Nano : (finishedAt ?? Timestamp.goZero).rfc3339Nano)),
            ] + (container.health.map { [("Health", healthJSON($0))] } ?? []))),
            ("Image", .string(record.imageID)),
            ("ResolvConfPath", .string("\(container.directory)/resolv.conf")),
            ("HostnamePath", .string("\(container.directory)/hostname")),
            ("HostsPath", .string("\(container.directory)/hosts")),
            ("LogPath", .string(ContainerLog.path(of: container))),
            ("Name", .string("/" + record.name)),
            ("RestartCount", .integer(Int64(state?.restartCount ?? 0))),
            ("Driver", .string("overlay")),
            ("Platform", .string("linux")),
            ("MountLabel", .string("")),
            ("ProcessLabel", .string("")),
            ("AppArmorProfile", .string("")),
            ("HostConfig", hostConfig(record, bindings: bindings)),
            ("GraphDriver", .object([
                ("Data", .object([
                    ("LowerDir", .string(record.layerDirectories.reversed().joined(separator: ":"))),
                    ("MergedDir", .string("\(container.directory)/merged")),
                    ("UpperDir", .string("\(container.directory)/upper")),
                    ("WorkDir", .string("\(container.directory)/work")),
                ])),
                ("Name", .string("overlay")),
            ])),
            ("Mounts", .array(mounts(record, volumesDirectory: container.volumesDirectory))),
            ("Config", config),
            ("NetworkSettings", .object([
                ("Bridge", .string("")),
                ("SandboxID", .string("")),
                ("Ports", .object(portTable)),
                ("SandboxKey", .string(running ? "/proc/\(state?.pid ?? 0)/ns/net" : "")),
                // Docker fills these for the default bridge network only.
                ("Gateway", .string(defaultBridge?.gateway ?? "")),
                ("IPAddress", .string(defaultBridge?.ipAddress ?? "")),
                ("IPPrefixLen", .integer(Int64(defaultBridge?.prefixLength ?? 0))),
                ("MacAddress", .string(defaultBridge?.macAddress ?? "")),
                ("Networks", record.networks == nil ? .object([]) : NetworkViews.endpoints(of: record)),
            ])),
        ])
    }

    /// Docker's JSON for an unset list: null.
    static func nullIfEmpty(_ values: [String]?) -> JSONValue {
        guard let values, !values.isEmpty else { return .null }
        return .strings(values)
    }

    /// An unset map too (Tmpfs, Sysctls): null; else its entries sorted by key.
    static func nullIfEmpty(_ values: [String: String]?) -> JSONValue {
        guard let values, !values.isEmpty else { return .null }
        return .object(values.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }

    /// inspect's HostConfig.
    static func hostConfig(_ record: ContainerRecord, bindings: [(String, JSONValue)]) -> JSONValue {
        let limits = record.hostConfig.resources ?? ResourceLimits()
        let memory: [(String, JSONValue)] = [
            ("Memory", .int(limits.memory ?? 0)),
            ("MemorySwap", .int(limits.memorySwap ?? 0)),
            ("MemoryReservation", .int(limits.memoryReservation ?? 0)),
        ]
        let cpu: [(String, JSONValue)] = [
            ("NanoCpus", .int(limits.nanoCpus ?? 0)),
            ("CpuShares", .int(limits.cpuShares ?? 0)),
            ("CpuPeriod", .int(limits.cpuPeriod ?? 0)),
            ("CpuQuota", .int(limits.cpuQuota ?? 0)),
            ("CpusetCpus", .string(limits.cpusetCpus ?? "")),
            ("PidsLimit", limits.pidsLimit.map { .int($0) } ?? .null),
            ("CpusetMems", .string(limits.cpusetMems ?? "")),
            ("BlkioWeight", .int(limits.blkioWeight ?? 0)),
            ("MemorySwappiness", limits.memorySwappiness.map { .int($0) } ?? .null),
            ("OomKillDisable", .bool(limits.oomKillDisable ?? false)),
            ("Ulimits", record.hostConfig.ulimits.flatMap { $0.isEmpty ? nil : .array($0.map {
                .object([("Name", .string($0.name)), ("Hard", .int($0.hard)), ("Soft", .int($0.soft))])
            }) } ?? .null),
        ]
        let general: [(String, JSONValue)] = [
            ("Binds", nullIfEmpty(record.hostConfig.binds)),
            // Docker's default driver: the log `logs` reads, which cell keeps in a format of its own.
            ("LogConfig", .object([("Type", .string(record.hostConfig.logConfig?.type ?? "json-file")),
                                   ("Config", .object((record.hostConfig.logConfig?.config ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))])),
            ("NetworkMode", .string(record.hostConfig.networkMode == "default" ? "bridge" : record.hostConfig.networkMode)),
            ("RestartPolicy", .object([("Name", .string(record.hostConfig.restartPolicy?.name ?? "no")),
                                       ("MaximumRetryCount", .integer(Int64(record.hostConfig.restartPolicy?.maximumRetryCount ?? 0)))])),
            ("PortBindings", .object(bindings)),
            ("AutoRemove", .bool(record.hostConfig.autoRemove)),
            ("CapAdd", nullIfEmpty(record.hostConfig.capAdd)),
            ("CapDrop", nullIfEmpty(record.hostConfig.capDrop)),
            ("ExtraHosts", nullIfEmpty(record.hostConfig.extraHosts)),
            ("Dns", .strings(record.hostConfig.dns ?? [])),
            ("DnsOptions", .strings(record.hostConfig.dnsOptions ?? [])),
            ("DnsSearch", .strings(record.hostConfig.dnsSearch ?? [])),
            // Docker's defaults: the container's own IPC namespace ("private"), no PID or UTS mode.
            ("IpcMode", .string(record.hostConfig.ipcMode ?? "private")),
            ("PidMode", .string(record.hostConfig.pidMode ?? "")),
            ("UTSMode", .string(record.hostConfig.utsMode ?? "")),
            ("Privileged", .bool(record.hostConfig.privileged)),
            ("PublishAllPorts", .bool(record.hostConfig.publishAllPorts)),
            ("ReadonlyRootfs", .bool(record.hostConfig.readonlyRootfs)),
            ("SecurityOpt", nullIfEmpty(record.hostConfig.securityOpt)),
            ("Tmpfs", nullIfEmpty(record.hostConfig.tmpfs)),
            ("Init", .bool(record.hostConfig.initProcess)),
            ("GroupAdd", nullIfEmpty(record.hostConfig.groupAdd)),
            ("OomScoreAdj", .int(Int64(record.hostConfig.oomScoreAdj ?? 0))),
            ("UsernsMode", .string(record.hostConfig.usernsMode ?? "")),
            ("ShmSize", .int(record.hostConfig.effectiveShmSize)),
            ("Sysctls", nullIfEmpty(record.hostConfig.sysctls)),
            ("Devices", .array((record.hostConfig.devices ?? []).map {
                .object([("PathOnHost", .string($0.pathOnHost)), ("PathInContainer", .string($0.pathInContainer)),
                         ("CgroupPermissions", .string($0.cgroupPermissions))])
            })),
            ("DeviceCgroupRules", nullIfEmpty(record.hostConfig.deviceCgroupRules)),
            ("MaskedPaths", nullIfEmpty(record.hostConfig.maskedPaths)),
            ("ReadonlyPaths", nullIfEmpty(record.hostConfig.readonlyPaths)),
        ]
        // podman's --cgroups, shown only when it is not the default.
        let cgroups: [(String, JSONValue)] = record.hostConfig.cgroups.map { [("Cgroups", .string($0))] } ?? []
        return .object(general + cgroups + memory + cpu)
    }

    /// Docker's Mounts: each bind (`-v /host:/path`), then each volume, named or anonymous.
    /// Binds and volumes as Docker's MountPoints (inspect's `Mounts`, and the API's container list).
    static func mounts(_ record: ContainerRecord, volumesDirectory: String) -> [JSONValue] {
        let binds: [JSONValue] = record.hostConfig.binds.compactMap { bind in
            let parts = bind.split(separator: ":").map(String.init)
            guard parts.count >= 2, parts[0].hasPrefix("/") else { return nil }
            return .object([
                ("Type", .string("bind")), ("Source", .string(parts[0])), ("Destination", .string(parts[1])),
                ("Mode", .string(parts.count > 2 ? parts[2] : "")), ("RW", .bool(!(parts.count > 2 && parts[2].contains("ro")))),
                ("Propagation", .string("rprivate")),
            ])
        }
        let volumes: [JSONValue] = (record.mountPoints ?? []).map { mount in
            .object([
                ("Type", .string("volume")), ("Name", .string(mount.name)),
                ("Source", .string("\(volumesDirectory)/\(mount.name)/_data")), ("Destination", .string(mount.destination)),
                ("Driver", .string("local")), ("Mode", .string(mount.readOnly ? "ro" : (mount.anonymous ? "" : "z"))),
                ("RW", .bool(!mount.readOnly)), ("Propagation", .string("")),
            ])
        }
        return binds + volumes
    }

    /// Docker's State.Health.
    static func healthJSON(_ health: HealthStatus) -> JSONValue {
        .object([
            ("Status", .string(health.status)),
            ("FailingStreak", .integer(Int64(health.failingStreak))),
            ("Log", .array(health.log.map { result in
                .object([("Start", .string(result.start.rfc3339Nano)), ("End", .string(result.end.rfc3339Nano)),
                         ("ExitCode", .integer(Int64(result.exitCode))), ("Output", .string(result.output))])
            })),
        ])
    }
}
