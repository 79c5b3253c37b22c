import CellCore
import CellCgroups
import CellPrivileges
import CellNetwork

/// The spec's file format: records (see `RecordWriter`), one per field, lists repeated.
extension ContainerSpec {
    static let formatVersion = "1"

    public func encoded() throws -> [UInt8] {
        var writer = RecordWriter()
        try writer.append("cell-spec", ContainerSpec.formatVersion)
        try writer.append("id", id)
        switch rootFilesystem {
        case .overlay(let overlay):
            for lower in overlay.lowerDirectories { try writer.append("lower", lower) }
            try writer.append("upper", overlay.upperDirectory)
            try writer.append("work", overlay.workDirectory)
            try writer.append("merged", overlay.mergedDirectory)
        case .directory(let path):
            try writer.append("root", path)
        }
        for argument in process.arguments { try writer.append("arg", argument) }
        for variable in process.environment { try writer.append("env", variable) }
        try writer.append("cwd", process.workingDirectory)
        try writer.append("uid", String(process.uid))
        try writer.append("gid", String(process.gid))
        for gid in process.additionalGids { try writer.append("group", String(gid)) }
        try writer.append("terminal", process.terminal ? "1" : "0")
        try writer.append("capabilities", String(process.capabilities.mask, radix: 16))
        if process.noNewPrivileges { try writer.append("no-new-privileges", "1") }
        for ulimit in process.ulimits { try writer.append("ulimit", [ulimit.name, String(ulimit.soft), String(ulimit.hard)]) }
        if let adjustment = process.oomScoreAdjustment { try writer.append("oom-score-adj", String(adjustment)) }
        try SeccompCoding.append(process.seccomp, to: &writer)
        try writer.append("hostname", hostname)
        try writer.append("network", network.rawValue)
        for namespace in hostNamespaces.sorted(by: { $0.rawValue < $1.rawValue }) { try writer.append("host-namespace", namespace.rawValue) }
        for volume in anonymousVolumes { try writer.append("anonymous-volume", volume) }
        for attachment in networkAttachments {
            try writer.append("network-attachment", [attachment.bridge.name, attachment.bridge.gateway.description,
                                                     attachment.bridge.isInternal ? "1" : "0", attachment.address.description,
                                                     NetworkAttachment.formatMAC(attachment.macAddress), attachment.interfaceName,
                                                     attachment.defaultRoute ? "1" : "0", attachment.addressClaim])
        }
        if let healthCheck {
            try writer.append("health-test", healthCheck.test)
            try writer.append("health-schedule", [healthCheck.interval, healthCheck.timeout, healthCheck.startPeriod,
                                                  healthCheck.startInterval].map { String($0) } + [String(healthCheck.retries)])
        }
        if logConfiguration != .standard {
            try writer.append("log", [logConfiguration.driver.rawValue, logConfiguration.maximumSize.map { String($0) } ?? "",
                                      String(logConfiguration.maximumFiles)])
            if logConfiguration.compress { try writer.append("log-compress", "1") }
            if let journald = logConfiguration.journald { try writer.append("log-journald", journald.fields) }
            if let syslog = logConfiguration.syslog {
                try writer.append("log-syslog", [syslog.transport.rawValue, syslog.target, String(syslog.facility),
                                                 syslog.format.rawValue, syslog.tag])
                if syslog.transport == .tcpTLS {
                    try writer.append("log-syslog-tls", [syslog.tls.caFile ?? "", syslog.tls.certificateFile ?? "",
                                                         syslog.tls.keyFile ?? "", syslog.tls.skipVerify ? "1" : "0"])
                }
            }
            if let fluentd = logConfiguration.fluentd {
                let address: [String]
                switch fluentd.address {
                case .tcp(let host, let port): address = ["tcp", host, String(port)]
                case .unix(let path): address = ["unix", path, ""]
                }
                try writer.append("log-fluentd", address + [fluentd.tag, fluentd.async ? "1" : "0", String(fluentd.bufferLimit),
                                                            String(fluentd.retryWait), String(fluentd.maxRetries),
                                                            fluentd.subSecondPrecision ? "1" : "0", String(fluentd.writeTimeout),
                                                            fluentd.containerID, fluentd.containerName])
                for (key, value) in fluentd.extraFields.sorted(by: { $0.key < $1.key }) {
                    try writer.append("log-fluentd-field", [key, value])
                }
            }
        }
        if restartPolicy != .never {
            try writer.append("restart-policy", [restartPolicy.name.rawValue, String(restartPolicy.maximumRetryCount)])
        }
        for (namespace, donor) in joinedNamespaces.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            try writer.append("join-namespace", [namespace.rawValue, donor])
        }
        for mount in mounts {
            switch mount {
            case .bind(let source, let destination, let access):
                try writer.append("bind", [source, destination, access.rawValue])
            case .tmpfs(let destination, let options):
                try writer.append("tmpfs", [destination, options])
            }
        }
        try writer.append("readonly-rootfs", readOnlyRootFilesystem ? "1" : "0")
        if let hostsFile { try writer.append("hosts-file", hostsFile) }
        if let hostnameFile { try writer.append("hostname-file", hostnameFile) }
        if let resolvConfFile { try writer.append("resolv-conf-file", resolvConfFile) }
        try writer.append("cgroup-parent", cgroupParent)
        try writer.append("cgroup-name", cgroupName)
        // Present even when empty, so "no masked paths" survives a round trip.
        try writer.append("masked", maskedPaths)
        try writer.append("readonly", readOnlyPaths)
        for port in ports {
            try writer.append("port", [port.hostAddress, String(port.hostPort), String(port.containerPort), port.protocol.rawValue])
        }
        if autoRemove { try writer.append("auto-remove", "1") }
        if devicesAllowed { try writer.append("devices-allowed", "1") }
        for device in devices {
            try writer.append("device", [device.path, String(device.kind.rawValue), String(device.major), String(device.minor),
                                     String(device.permissions, radix: 8), String(device.uid), String(device.gid)])
        }
        for rule in deviceRules { try writer.append("device-rule", rule.description) }
        if cgroupsWritable { try writer.append("cgroups-writable", "1") }
        // Only when disabled: a spec without the record (any older one) has cgroups.
        if cgroups != .enabled { try writer.append("cgroups", cgroups.rawValue) }
        if let seccompCache { try writer.append("seccomp-cache", seccompCache) }
        for (name, value) in limits.fields { try writer.append("limit", [name, value]) }
        if let nameLink { try writer.append("name-link", nameLink) }
        if let execHelper { try writer.append("exec-helper", execHelper) }
        for (key, value) in sysctls.sorted(by: { $0.key < $1.key }) { try writer.append("sysctl", [key, value]) }
        try writer.append("shm-size", String(shmSize))
        if let idMapping {
            try writer.append("uidmap", [String(idMapping.uids.hostStart), String(idMapping.uids.size)])
            try writer.append("gidmap", [String(idMapping.gids.hostStart), String(idMapping.gids.size)])
        }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws {
        let document = try RecordDocument(bytes, what: "container spec", header: "cell-spec")
        let records = document.records
        var id = "", root: String?, lowers: [String] = [], upper = "", work = "", merged = ""
        var process = Process(arguments: [], environment: [])
        var hostname = "", network = NetworkMode.private, mounts: [Mount] = [], readOnlyRoot = false
        var hostNamespaces: Set<HostNamespace> = []
        var joinedNamespaces: [HostNamespace: String] = [:]
        var anonymousVolumes: [String] = []
        var networkAttachments: [NetworkAttachment] = []
        var restartPolicy = RestartPolicy.never
        var healthCheck: HealthCheck?
        var logConfiguration = LogConfiguration.standard
        var healthSchedule: (Double, Double, Double, Double, Int)?
        var hosts: String?, hostnameFile: String?, resolv: String?
        var cgroupParent = "/cell", cgroupName: String?
        var masked = ContainerSpec.defaultMaskedPaths, readOnly = ContainerSpec.defaultReadOnlyPaths
        var ports: [PortMapping] = []
        var autoRemove = false, nameLink: String?, devicesAllowed = false, cgroupsWritable = false, seccompCache: String?, execHelper: String?
        var cgroups = CgroupsMode.enabled
        var uidRange: IDMapping.Range?, gidRange: IDMapping.Range?
        func range(_ record: Record) throws -> IDMapping.Range {
            guard record.fields.count == 2, let start = UInt32(record.fields[0]), let size = UInt32(record.fields[1]) else {
                throw document.bad(record)
            }
            return IDMapping.Range(hostStart: start, size: size)
        }
        var limits = ResourceLimits()
        // Absent from specs written before them: no sysctls, Docker's 64 MiB /dev/shm.
        var sysctls: [String: String] = [:], shmSize = ContainerSpec.defaultShmSize
        var seccomp = SeccompCoding.Reader()
        var devices: [DeviceNode] = [], deviceRules: [DeviceRule] = []
        for record in records {
            switch record.key {
            case "id": id = record.value
            case "root": root = record.value
            case "lower": lowers.append(record.value)
            case "upper": upper = record.value
            case "work": work = record.value
            case "merged": merged = record.value
            case "arg": process.arguments.append(record.value)
            case "env": process.environment.append(record.value)
            case "cwd": process.workingDirectory = record.value
            case "uid": process.uid = try document.number(record)
            case "gid": process.gid = try document.number(record)
            case "group": process.additionalGids.append(try document.number(record))
            case "terminal": process.terminal = record.value == "1"
            case "capabilities":
                guard let mask = UInt64(record.value, radix: 16) else { throw document.bad(record) }
                process.capabilities = Capabilities(mask: mask)
            case "no-new-privileges": process.noNewPrivileges = record.value == "1"
            case "ulimit":
                guard record.fields.count == 3, Ulimit.resources[record.fields[0]] != nil,
                      let soft = Int64(record.fields[1]), let hard = Int64(record.fields[2]) else { throw document.bad(record) }
                process.ulimits.append(Ulimit(name: record.fields[0], soft: soft, hard: hard))
            case "oom-score-adj": process.oomScoreAdjustment = try document.number(record)
            case "seccomp", "seccomp-default", "seccomp-rule":
                try seccomp.read(record)
            case "hostname": hostname = record.value
            case "network":
                guard let mode = NetworkMode(rawValue: record.value) else { throw document.bad(record) }
                network = mode
            case "host-namespace":
                // The host's network is `network host`, never a host namespace.
                guard let namespace = HostNamespace(rawValue: record.value), namespace != .net else { throw document.bad(record) }
                hostNamespaces.insert(namespace)
            case "health-test":
                healthCheck = HealthCheck(test: record.fields)
            case "health-schedule":
                guard record.fields.count == 5, let interval = Double(record.fields[0]), let timeout = Double(record.fields[1]),
                      let startPeriod = Double(record.fields[2]), let startInterval = Double(record.fields[3]),
                      let retries = Int(record.fields[4]) else { throw document.bad(record) }
                healthSchedule = (interval, timeout, startPeriod, startInterval, retries)
            case "log":
                guard record.fields.count == 3, let driver = LogConfiguration.Driver(rawValue: record.fields[0]),
                      let files = Int(record.fields[2]) else { throw document.bad(record) }
                logConfiguration = LogConfiguration(driver: driver, maximumSize: Int64(record.fields[1]), maximumFiles: files,
                                                    syslog: logConfiguration.syslog, fluentd: logConfiguration.fluentd,
                                                    journald: logConfiguration.journald)
            case "log-journald":
                logConfiguration.journald = JournaldDestination(fields: record.fields)
            case "log-compress":
                logConfiguration.compress = record.value == "1"
            case "log-syslog":
                guard record.fields.count == 5, let transport = SyslogDestination.Transport(rawValue: record.fields[0]),
                      let facility = Int(record.fields[2]), let format = SyslogDestination.Format(rawValue: record.fields[3]) else {
                    throw document.bad(record)
                }
                logConfiguration.syslog = SyslogDestination(transport: transport, target: record.fields[1], facility: facility,
                                                            format: format, tag: record.fields[4])
            case "log-syslog-tls":
                guard record.fields.count == 4, logConfiguration.syslog != nil else { throw document.bad(record) }
                func path(_ field: String) -> String? { field.isEmpty ? nil : field }
                logConfiguration.syslog?.tls = TLSClientSettings(caFile: path(record.fields[0]), certificateFile: path(record.fields[1]),
                                                                keyFile: path(record.fields[2]), skipVerify: record.fields[3] == "1")
            case "log-fluentd":
                let fields = record.fields
                guard fields.count == 12, let bufferLimit = Int(fields[5]), let retryWait = Int(fields[6]),
                      let maxRetries = Int(fields[7]), let writeTimeout = Int(fields[9]) else { throw document.bad(record) }
                let address: FluentdDestination.Address
                switch fields[0] {
                case "tcp":
                    guard let port = UInt16(fields[2]) else { throw document.bad(record) }
                    address = .tcp(host: fields[1], port: port)
                case "unix": address = .unix(path: fields[1])
                default: throw document.bad(record)
                }
                logConfiguration.fluentd = FluentdDestination(address: address, tag: fields[3], async: fields[4] == "1",
                                                              bufferLimit: bufferLimit, retryWait: retryWait, maxRetries: maxRetries,
                                                              subSecondPrecision: fields[8] == "1", writeTimeout: writeTimeout,
                                                              containerID: fields[10], containerName: fields[11])
            case "log-fluentd-field":
                guard record.fields.count == 2, logConfiguration.fluentd != nil else { throw document.bad(record) }
                logConfiguration.fluentd?.extraFields[record.fields[0]] = record.fields[1]
            case "restart-policy":
                guard record.fields.count == 2, let name = RestartPolicy.Name(rawValue: record.fields[0]),
                      let count = Int(record.fields[1]) else { throw document.bad(record) }
                restartPolicy = RestartPolicy(name: name, maximumRetryCount: count)
            case "anonymous-volume":
                guard record.value.hasPrefix("/") else { throw document.bad(record) }
                anonymousVolumes.append(record.value)
            case "network-attachment":
                let f = record.fields
                guard f.count == 8, f[7].hasPrefix("/"), f[0].hasPrefix(BridgeFirewall.bridgePrefix), f[0].utf8.count <= 15,
                      let gateway = IPv4Interface(parsing: f[1]), let address = IPv4Interface(parsing: f[3]),
                      address.subnet == gateway.subnet, let mac = NetworkAttachment.parseMAC(f[4]),
                      !f[5].isEmpty, f[5].utf8.count <= 15, !f[5].contains("/") else { throw document.bad(record) }
                networkAttachments.append(NetworkAttachment(
                    bridge: BridgeInterface(name: f[0], gateway: gateway, isInternal: f[2] == "1",
                                            owner: FileSystem.dirname(of: FileSystem.dirname(of: f[7]))),
                    address: address, macAddress: mac, interfaceName: f[5], defaultRoute: f[6] == "1", addressClaim: f[7]))
            case "join-namespace":
                guard record.fields.count == 2, let namespace = HostNamespace(rawValue: record.fields[0]),
                      namespace != .uts, record.fields[1].hasPrefix("/") else { throw document.bad(record) }
                joinedNamespaces[namespace] = record.fields[1]
            case "bind":
                guard record.fields.count == 3 else { throw document.bad(record) }
                // An access this version does not know is taken as the safest.
                let access = ContainerSpec.BindAccess(rawValue: record.fields[2]) ?? .readOnly
                mounts.append(.bind(source: record.fields[0], destination: record.fields[1], access: access))
            case "tmpfs":
                guard record.fields.count == 2 else { throw document.bad(record) }
                mounts.append(.tmpfs(destination: record.fields[0], options: record.fields[1]))
            case "readonly-rootfs": readOnlyRoot = record.value == "1"
            case "hosts-file": hosts = record.value
            case "hostname-file": hostnameFile = record.value
            case "resolv-conf-file": resolv = record.value
            case "cgroup-parent": cgroupParent = record.value
            case "cgroup-name": cgroupName = record.value
            case "masked": masked = record.fields
            case "readonly": readOnly = record.fields
            case "port":
                guard record.fields.count == 4, let hostPort = UInt16(record.fields[1]),
                      let containerPort = UInt16(record.fields[2]),
                      let proto = PortMapping.TransportProtocol(rawValue: record.fields[3]) else { throw document.bad(record) }
                ports.append(PortMapping(hostAddress: record.fields[0], hostPort: hostPort, containerPort: containerPort, protocol: proto))
            case "auto-remove": autoRemove = record.value == "1"
            case "devices-allowed": devicesAllowed = record.value == "1"
            case "device":
                let f = record.fields
                guard f.count == 7, f[1].count == 1, let kind = DeviceRule.Kind(rawValue: f[1].first!), kind != .all,
                      let major = UInt32(f[2]), let minor = UInt32(f[3]), let permissions = UInt32(f[4], radix: 8),
                      let uid = UInt32(f[5]), let gid = UInt32(f[6]) else { throw document.bad(record) }
                devices.append(DeviceNode(path: f[0], kind: kind, major: major, minor: minor, permissions: permissions, uid: uid, gid: gid))
            case "device-rule":
                guard let rule = try? DeviceRule(parsing: record.value) else { throw document.bad(record) }
                deviceRules.append(rule)
            case "cgroups-writable": cgroupsWritable = record.value == "1"
            case "cgroups":
                // A mode this reader does not know is refused rather than run with cgroups.
                guard let mode = CgroupsMode(rawValue: record.value) else { throw document.bad(record) }
                cgroups = mode
            case "seccomp-cache": seccompCache = record.value
            case "limit":
                guard record.fields.count == 2, limits.set(record.fields[0], record.fields[1]) else { throw document.bad(record) }
            case "name-link": nameLink = record.value
            case "exec-helper": execHelper = record.value
            case "sysctl":
                guard record.fields.count == 2 else { throw document.bad(record) }
                sysctls[record.fields[0]] = record.fields[1]
            case "shm-size": shmSize = try document.number(record)
            case "uidmap": uidRange = try range(record)
            case "gidmap": gidRange = try range(record)
            default: continue // a newer writer's field
            }
        }
        process.seccomp = try seccomp.policy()
        let rootFilesystem: RootFilesystem = root.map { .directory($0) }
            ?? .overlay(Overlay(lowerDirectories: lowers, upperDirectory: upper, workDirectory: work, mergedDirectory: merged))
        self.init(id: id, rootFilesystem: rootFilesystem, process: process, hostname: hostname, network: network,
                  mounts: mounts, readOnlyRootFilesystem: readOnlyRoot, hostsFile: hosts, hostnameFile: hostnameFile,
                  resolvConfFile: resolv, cgroupParent: cgroupParent, cgroupName: cgroupName,
                  maskedPaths: masked, readOnlyPaths: readOnly, ports: ports, autoRemove: autoRemove, nameLink: nameLink)
        self.devicesAllowed = devicesAllowed
        // A spec from before the device records had Docker's default nodes.
        self.devices = devices.isEmpty ? DeviceNode.dockerDefaults : devices
        self.deviceRules = deviceRules
        self.cgroupsWritable = cgroupsWritable
        self.cgroups = cgroups
        self.seccompCache = seccompCache
        self.limits = limits
        self.execHelper = execHelper
        self.sysctls = sysctls
        self.shmSize = shmSize
        self.hostNamespaces = hostNamespaces
        self.joinedNamespaces = joinedNamespaces
        self.anonymousVolumes = anonymousVolumes
        self.networkAttachments = networkAttachments
        self.restartPolicy = restartPolicy
        self.logConfiguration = logConfiguration
        if var check = healthCheck {
            if let (interval, timeout, startPeriod, startInterval, retries) = healthSchedule {
                (check.interval, check.timeout, check.startPeriod, check.startInterval, check.retries) = (interval, timeout, startPeriod, startInterval, retries)
            }
            self.healthCheck = check
        }
        if let uidRange, let gidRange { idMapping = IDMapping(uids: uidRange, gids: gidRange) }
    }

    /// `<container-dir>/spec`.
    public static func path(inContainerDirectory directory: String) -> String { "\(directory)/spec" }

    public static func read(fromContainerDirectory directory: String) throws -> ContainerSpec {
        try ContainerSpec(decoding: FileSystem.readFile(path(inContainerDirectory: directory)))
    }

    public func write(toContainerDirectory directory: String) throws {
        try FileSystem.writeAtomically(encoded(), to: ContainerSpec.path(inContainerDirectory: directory), mode: 0o600)
    }
}
