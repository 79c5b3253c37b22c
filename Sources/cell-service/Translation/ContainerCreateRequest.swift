import CellContainers
import CellCore
import CellFormat

/// The body of `POST /containers/create` (moby's container.Config with its HostConfig and
/// NetworkingConfig) as the `RunOptions` the CLI's `create` flags make: every field cell supports
/// becomes the flag's value, in the flag's own text where the library parses text (`-p`,
/// `--mount`, `--ulimit`), so both faces are checked by the same code. A field cell cannot honour
/// that asks for something is refused with a 400 that names it; zero values are what clients send
/// for "unset" and are fine.
enum ContainerCreateRequest {
    static func options(from body: [UInt8], name: String?) throws -> RunOptions {
        guard !body.isEmpty else { throw APIError.badRequest("Config cannot be empty in order to create a container") }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: body)
        } catch let error as CellError {
            throw APIError.badRequest(error.message)
        }
        var config = try JSONFields(document, path: "Config")
        guard let image = try config.string("Image"), !image.isEmpty else {
            throw APIError.badRequest("Config.Image: no image given")
        }
        var options = RunOptions(image: image)
        options.name = name
        try readConfig(&config, into: &options)
        var host = try JSONFields(config.value("HostConfig"), path: "HostConfig")
        try readHostConfig(&host, into: &options)
        var networking = try JSONFields(config.value("NetworkingConfig"), path: "NetworkingConfig")
        try readNetworking(&networking, into: &options)
        // The container-level MacAddress of API versions before 1.44.
        if let mac = try config.string("MacAddress"), !mac.isEmpty, options.macAddress == nil { options.macAddress = mac }
        try config.refuseUnread(["Domainname": "cell sets no domain name"])
        try host.refuseUnread(hostConfigReasons)
        try networking.refuseUnread()
        return options
    }

    private static func readConfig(_ config: inout JSONFields, into options: inout RunOptions) throws {
        options.hostname = try config.string("Hostname").flatMap { $0.isEmpty ? nil : $0 }
        options.user = try config.string("User").flatMap { $0.isEmpty ? nil : $0 }
        options.expose = try config.keys("ExposedPorts") ?? []
        options.tty = try config.bool("Tty") ?? false
        options.interactive = try config.bool("OpenStdin") ?? false
        options.stdinOnce = try config.bool("StdinOnce") ?? false
        options.environment = try config.strings("Env") ?? []
        options.command = try config.strings("Cmd") ?? []
        options.workingDirectory = try config.string("WorkingDir").flatMap { $0.isEmpty ? nil : $0 }
        options.entrypoint = try config.strings("Entrypoint")
        if try config.bool("NetworkDisabled") == true { options.network = "none" }
        options.labels = try config.stringMap("Labels")?.map { "\($0.0)=\($0.1)" } ?? []
        options.stopSignal = try config.string("StopSignal").flatMap { $0.isEmpty ? nil : $0 }
        options.stopTimeout = try config.integer("StopTimeout").map { Int(clamping: $0) }
        // The image's VOLUMEs' way: an anonymous volume at each path (`-v /path`).
        options.volumes += try config.keys("Volumes") ?? []
        try readHealthcheck(try config.object("Healthcheck"), into: &options)
        // Attaching is the attach endpoint's business; OnBuild and Shell matter to builds only;
        // ArgsEscaped to Windows.
        config.ignore("AttachStdin", "AttachStdout", "AttachStderr", "ArgsEscaped", "OnBuild", "Shell", "Image")
    }

    /// Docker's HealthConfig: the test as given, the times in nanoseconds (0: the image's, or
    /// Docker's defaults), as the `--health-*` flags' values.
    private static func readHealthcheck(_ fields: JSONFields, into options: inout RunOptions) throws {
        var fields = fields
        options.healthTest = try fields.strings("Test")
        func duration(_ name: String) throws -> String? {
            try fields.integer(name).flatMap { $0 > 0 ? "\($0)ns" : nil }
        }
        options.healthInterval = try duration("Interval")
        options.healthTimeout = try duration("Timeout")
        options.healthStartPeriod = try duration("StartPeriod")
        options.healthStartInterval = try duration("StartInterval")
        options.healthRetries = try fields.integer("Retries").flatMap { $0 > 0 ? Int(clamping: $0) : nil }
        try fields.refuseUnread()
    }

    private static func readHostConfig(_ host: inout JSONFields, into options: inout RunOptions) throws {
        // Binds first, then Config.Volumes' anonymous ones (read before).
        options.volumes = (try host.strings("Binds") ?? []) + options.volumes
        if let driver = try host.string("VolumeDriver"), !["", "local"].contains(driver) {
            throw APIError.badRequest("HostConfig.VolumeDriver: \(driver) is not available: cell has the local volume driver only")
        }
        try readLogConfig(try host.object("LogConfig"), into: &options)
        switch try host.string("NetworkMode") ?? "" {
        // The docker CLI's "default" (and older clients' nothing) is cell's default.
        case "", "default": break
        case let mode: options.network = mode
        }
        options.publish = try portBindings(host.value("PortBindings"))
        var restart = try host.object("RestartPolicy")
        let policy = try restart.string("Name") ?? "", retries = try restart.integer("MaximumRetryCount") ?? 0
        try restart.refuseUnread()
        // `--restart`'s text (the library judges it): on-failure:N with a count.
        if !policy.isEmpty { options.restartPolicy = retries > 0 ? "\(policy):\(retries)" : policy }
        options.volumesFrom = try host.strings("VolumesFrom") ?? []
        options.links = try host.strings("Links") ?? []
        options.autoRemove = try host.bool("AutoRemove") ?? false
        options.mounts = try host.objects("Mounts").map(mountFlag)
        // Config.Volumes are declarations, as an image's VOLUMEs: a bind or mount at the same
        // place takes it (compose sends both for a service's named volume).
        let taken = Set(options.volumes.compactMap(bindDestination) + options.mounts.compactMap(mountTarget))
        options.volumes = options.volumes.filter { $0.hasPrefix("/") && !$0.contains(":") ? !taken.contains($0) : true }
        options.capAdd = try host.strings("CapAdd") ?? []
        options.capDrop = try host.strings("CapDrop") ?? []
        if let mode = try host.string("CgroupnsMode"), !["", "private"].contains(mode) {
            throw APIError.badRequest("HostConfig.CgroupnsMode: \(mode) is not supported: every cell container has a cgroup namespace of its own")
        }
        options.dns = try host.strings("Dns") ?? []
        options.dnsOptions = try host.strings("DnsOptions") ?? []
        options.dnsSearch = try host.strings("DnsSearch") ?? []
        options.addHost = try host.strings("ExtraHosts") ?? []
        options.groupAdd = try host.strings("GroupAdd") ?? []
        options.ipcMode = try host.string("IpcMode") ?? ""
        options.pidMode = try host.string("PidMode") ?? ""
        options.utsMode = try host.string("UTSMode") ?? ""
        options.userNamespace = try host.string("UsernsMode").flatMap { $0.isEmpty ? nil : $0 }
        options.oomScoreAdjustment = try host.integer("OomScoreAdj").flatMap { $0 == 0 ? nil : String($0) }
        options.privileged = try host.bool("Privileged") ?? false
        options.publishAll = try host.bool("PublishAllPorts") ?? false
        options.readOnly = try host.bool("ReadonlyRootfs") ?? false
        options.securityOpt = try host.strings("SecurityOpt") ?? []
        options.tmpfs = try host.stringMap("Tmpfs")?.map { $0.1.isEmpty ? $0.0 : "\($0.0):\($0.1)" } ?? []
        options.shmSize = try host.integer("ShmSize").flatMap { $0 > 0 ? String($0) : nil }
        options.sysctls = try host.stringMap("Sysctls")?.map { "\($0.0)=\($0.1)" } ?? []
        options.initProcess = try host.bool("Init") ?? false
        if let runtime = try host.string("Runtime"), !["", "cell"].contains(runtime) {
            throw APIError.badRequest("HostConfig.Runtime: \(runtime) is not available: cell runs containers itself")
        }
        if let isolation = try host.string("Isolation"), !["", "default"].contains(isolation) {
            throw APIError.badRequest("HostConfig.Isolation: \(isolation) is not supported on Linux")
        }
        // The CLI's file, and its terminal's size (for attach and exec).
        host.ignore("ContainerIDFile", "ConsoleSize")
        try readResources(&host, into: &options)
    }

    /// HostConfig's Resources (inlined in Go's struct), as `-m`, `--cpus` and the rest.
    private static func readResources(_ host: inout JSONFields, into options: inout RunOptions) throws {
        options.limits = try ResourcesRequest.limits(&host)
        options.devices = try host.objects("Devices").map { device in
            var device = device
            let onHost = try device.string("PathOnHost") ?? ""
            let inContainer = try device.string("PathInContainer") ?? ""
            let permissions = try device.string("CgroupPermissions") ?? ""
            try device.refuseUnread()
            return [onHost, inContainer.isEmpty ? onHost : inContainer, permissions.isEmpty ? "rwm" : permissions].joined(separator: ":")
        }
        options.deviceCgroupRules = try host.strings("DeviceCgroupRules") ?? []
        options.ulimits = try host.objects("Ulimits").map { ulimit in
            var ulimit = ulimit
            guard let name = try ulimit.string("Name"), !name.isEmpty else { throw APIError.badRequest("HostConfig.Ulimits: a limit without a Name") }
            let soft = try ulimit.integer("Soft") ?? 0, hard = try ulimit.integer("Hard") ?? 0
            try ulimit.refuseUnread()
            return "\(name)=\(soft):\(hard)"
        }
    }

    /// `--log-driver` and `--log-opt` (the library judges drivers and options).
    private static func readLogConfig(_ fields: JSONFields, into options: inout RunOptions) throws {
        var fields = fields
        options.logDriver = try fields.string("Type").flatMap { $0.isEmpty ? nil : $0 }
        options.logOptions = try fields.stringMap("Config")?.map { "\($0.0)=\($0.1)" } ?? []
        try fields.refuseUnread()
    }

    /// `{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}` as `-p` values: `8080:80/tcp`,
    /// `127.0.0.1::80/tcp`, `[::1]:8080:80/tcp`, or `80/tcp` for any free host port.
    static func portBindings(_ value: JSONValue?) throws -> [String] {
        guard let value else { return [] }
        guard let ports = value.objectValue else { throw APIError.badRequest("HostConfig.PortBindings: expected an object") }
        var flags: [String] = []
        for (port, bindings) in ports {
            let list = bindings.isNull ? [] : bindings.arrayValue
            guard let list else { throw APIError.badRequest("HostConfig.PortBindings.\(port): expected a list of bindings") }
            for binding in list {
                var fields = try JSONFields(binding, path: "HostConfig.PortBindings.\(port)")
                let address = try fields.string("HostIp") ?? "", hostPort = try fields.string("HostPort") ?? ""
                try fields.refuseUnread()
                let host = address.contains(":") ? "[\(address)]" : address
                switch (host.isEmpty, hostPort.isEmpty) {
                case (true, true): flags.append(port)
                case (true, false): flags.append("\(hostPort):\(port)")
                case (false, _): flags.append("\(host):\(hostPort):\(port)")
                }
            }
        }
        return flags
    }

    /// One of HostConfig.Mounts as the `--mount` flag's text (the library reads that text).
    static func mountFlag(_ mount: JSONFields) throws -> String {
        var mount = mount
        let path = mount.path
        var fields: [String] = []
        func add(_ key: String, _ value: String?) throws {
            guard let value, !value.isEmpty else { return }
            guard !value.contains(",") && !value.contains("\"") else {
                throw APIError.badRequest("\(path).\(key): a comma or a quote in a mount's field is not supported")
            }
            fields.append("\(key)=\(value)")
        }
        try add("type", try mount.string("Type") ?? "volume")
        try add("source", try mount.string("Source"))
        try add("target", try mount.string("Target"))
        if try mount.bool("ReadOnly") == true { fields.append("readonly") }
        try add("consistency", try mount.string("Consistency"))
        var bind = try mount.object("BindOptions")
        try add("bind-propagation", try bind.string("Propagation"))
        if try bind.bool("NonRecursive") == true { fields.append("bind-recursive=disabled") }
        if try bind.bool("ReadOnlyNonRecursive") == true { fields.append("bind-recursive=writable") }
        bind.ignore("CreateMountpoint", "ReadOnlyForceRecursive")
        try bind.refuseUnread()
        var tmpfs = try mount.object("TmpfsOptions")
        try add("tmpfs-size", try tmpfs.integer("SizeBytes").flatMap { $0 > 0 ? String($0) : nil })
        try add("tmpfs-mode", try tmpfs.integer("Mode").flatMap { $0 > 0 ? String($0, radix: 8) : nil })
        try tmpfs.refuseUnread()
        var volume = try mount.object("VolumeOptions")
        if try volume.bool("NoCopy") == true { fields.append("volume-nocopy") }
        var driver = try volume.object("DriverConfig")
        try add("volume-driver", try driver.string("Name"))
        try driver.refuseUnread(["Options": "cell's local volumes take their options from `volume create`"])
        try volume.refuseUnread(["Labels": "a volume's labels are set by `volume create`", "Subpath": "cell mounts whole volumes"])
        try mount.refuseUnread()
        return fields.joined(separator: ",")
    }

    /// NetworkingConfig names the endpoint of the network the container joins (the docker CLI
    /// sends one for `--network`, compose one with the service's aliases): its aliases, address
    /// and MAC are `--network-alias`, `--ip` and `--mac-address`. An endpoint for another network
    /// would need `network connect`, which cell does not have yet.
    private static func readNetworking(_ networking: inout JSONFields, into options: inout RunOptions) throws {
        var endpoints = try networking.object("EndpointsConfig")
        for name in endpoints.setFieldNames where !["default", options.network].contains(name)
            && !(options.network == "default" && name == "bridge") {
            throw APIError.badRequest("NetworkingConfig.EndpointsConfig.\(name): a container joins one network in cell (its NetworkMode, \(options.network))")
        }
        for name in Set(["default", "bridge", options.network]) {
            var endpoint = try endpoints.object(name)
            options.networkAliases += try endpoint.strings("Aliases") ?? []
            if let mac = try endpoint.string("MacAddress"), !mac.isEmpty { options.macAddress = mac }
            var addresses = try endpoint.object("IPAMConfig")
            if let address = try addresses.string("IPv4Address"), !address.isEmpty { options.ipAddress = address }
            addresses.ignore("IPv6Address", "LinkLocalIPs")
            try addresses.refuseUnread()
            endpoint.ignore("NetworkID", "EndpointID", "Gateway", "IPAddress", "IPPrefixLen", "IPv6Gateway",
                            "GlobalIPv6Address", "GlobalIPv6PrefixLen", "DriverOpts", "Links", "DNSNames")
            try endpoint.refuseUnread()
        }
        try endpoints.refuseUnread()
    }

    /// The container path of a `-v` text with one (`SOURCE:DEST[:MODE]`).
    private static func bindDestination(_ text: String) -> String? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count >= 2 ? String(parts[1]) : nil
    }

    /// The target of a `--mount` text.
    private static func mountTarget(_ text: String) -> String? {
        for field in text.split(separator: ",") {
            let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2, ["target", "dst", "destination"].contains(pair[0]) { return pair[1] }
        }
        return nil
    }

    /// What cell does instead of the HostConfig fields it has no counterpart for.
    static let hostConfigReasons: [String: String] = [
        "StorageOpt": "cell's only storage is overlay, without options",
        "CgroupParent": "cell puts every container's cgroup under cell/",
        "Cgroup": "cell gives every container a cgroup of its own",
        "MaskedPaths": "cell masks Docker's default paths (--privileged lifts them)",
        "ReadonlyPaths": "cell makes Docker's default paths read-only (--privileged lifts them)",
        "DeviceRequests": "cell has no device drivers (GPUs): use Devices",
        "KernelMemory": "the kernel no longer supports it",
        "KernelMemoryTCP": "the kernel no longer supports it",
        "CpuRealtimePeriod": "cell sets no real-time scheduling limits",
        "CpuRealtimeRuntime": "cell sets no real-time scheduling limits",
        "BlkioWeightDevice": "cell sets no per-device I/O limits",
        "BlkioDeviceReadBps": "cell sets no per-device I/O limits",
        "BlkioDeviceWriteBps": "cell sets no per-device I/O limits",
        "BlkioDeviceReadIOps": "cell sets no per-device I/O limits",
        "BlkioDeviceWriteIOps": "cell sets no per-device I/O limits",
        "CpuCount": "it is for Windows containers", "CpuPercent": "it is for Windows containers",
        "IOMaximumIOps": "it is for Windows containers", "IOMaximumBandwidth": "it is for Windows containers",
        "Annotations": "cell passes no annotations to a runtime",
    ]
}
