#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage
import CellRuntime
import CellCgroups
import CellNetwork

/// Turns an image and docker's run options into a container on disk: the record that `inspect`
/// shows and the spec the runtime starts. Nothing is created when any option is wrong.
public struct ContainerCreator {
    public let images: ImageStore
    public let containers: ContainerStore
    /// The static cell-init binary: --init bind-mounts it into the container, and every
    /// container process is exec'd through it (ContainerSpec.execHelper).
    public let initBinary: String

    /// Where --init is found inside a container: on /dev (a tmpfs of the container's own), so
    /// the mount point never lands in the image's files.
    public static let initPath = "/dev/init"

    private var volumeStore: VolumeStore { VolumeStore(layout: images.layout) }
    private var networkStore: NetworkStore { NetworkStore(layout: images.layout) }

    /// Called with the container's spec (and its encoding, as the record gets it) and directory
    /// once it is planned, before its record is written: `run` shows it to the monitor it
    /// started ahead (`PendingMonitor.preview`).
    public var planned: ((_ spec: ContainerSpec, _ encoded: [UInt8], _ directory: String) -> Void)?

    public init(images: ImageStore, containers: ContainerStore, initBinary: String) {
        self.images = images
        self.containers = containers
        self.initBinary = initBinary
    }

    /// Creates the container; `warn` hears Docker's warnings for limits this host cannot apply
    /// (discarded), once the container exists.
    /// `fetchMissingImage` (run's and create's `--pull missing`) is called with the image's
    /// name when the store does not have it, and the store is looked at again after.
    public func create(_ options: RunOptions, now: Timestamp = .now(), warn: (String) -> Void = { _ in },
                       fetchMissingImage: ((String) throws -> Void)? = nil) throws -> Container {
        // Read once, before anything is made: the devices, and whether cgroups may be disabled.
        let devices = try options.devices.map(DeviceOptions.Mapping.init(parsing:))
        let cgroups = try ContainerCreator.cgroupsMode(options, devices: devices)
        var options = options
        // --mount: the -v and --tmpfs forms, read before anything is made.
        for mount in options.mounts {
            switch try MountFlag.parse(mount) {
            case .volume(let volume): options.volumes.append(volume)
            case .tmpfs(let tmpfs): options.tmpfs.append(tmpfs)
            }
        }
        var warnings: [String] = []
        if CgroupSupport.judges(options.limits), let layout = try? CgroupLayout.detect() {
            (options.limits, warnings) = CgroupSupport.of(layout).admitting(options.limits)
        }
        // A writer of the store from finding the image until the record is on disk: a garbage
        // collection (rmi, prune) waits, then finds the record and keeps the image and layers.
        // And a user of volumes: `volume rm` waits, then finds the record using them.
        PhaseTrace.mark("options checked")
        let container = try images.withWriteSession { try volumeStore.withLock(.shared) {
            // A generated name is chosen before the names lock is taken: if another creation
            // took it meanwhile, a new one, rather than a conflict the user never asked for.
            var attempt = 0
            while true {
                do {
                    return try createInSession(options, devices: devices, cgroups: cgroups, now: now,
                                               fetchMissingImage: fetchMissingImage)
                } catch let error as CellError where options.name == nil && attempt < 5 && ContainerStore.isNameConflict(error) {
                    attempt += 1
                }
            }
        } }
        warnings.forEach(warn)
        Events.container("create", container)
        return container
    }

    private func createInSession(_ options: RunOptions, devices: [DeviceOptions.Mapping], cgroups: ContainerSpec.CgroupsMode,
                                 now: Timestamp, fetchMissingImage: ((String) throws -> Void)?) throws -> Container {
        // Fetched only when missing: the common case reads the index once.
        func fetched() throws -> ImageSummary? {
            guard let fetchMissingImage else { return nil }
            try fetchMissingImage(options.image)
            return try images.find(options.image)
        }
        guard let summary = try images.find(options.image) ?? fetched() else {
            let shown = (try? ImageReference(parsing: options.image))?.familiarName ?? options.image
            throw CellError(.notFound, "No such image: \(shown)")
        }
        let image = try images.load(summary)
        PhaseTrace.mark("store locked, image found")
        let imageConfig = image.config.config ?? ContainerConfig()
        // An image stored by an older cell may hold what no C string can: one line, not a trap.
        do {
            try imageConfig.checkForNULBytes(kind: .setup)
        } catch let error as CellError {
            throw CellError(.setup, "image \(options.image): \(error.message)")
        }
        let id = ContainerCreator.newID()
        let name = try options.name.map(ContainerCreator.validated) ?? generateName()
        let directory = containers.directory(of: id)
        let networkPlan = try NetworkPlan(options, store: networkStore, containers: containers)
        let network = networkPlan.mode
        let hostname = options.hostname ?? networkPlan.donorHostname ?? String(id.prefix(12))

        // Entrypoint and command, by docker's rules: --entrypoint resets the image's CMD.
        var entrypoint = imageConfig.entrypoint ?? []
        var cmd = imageConfig.cmd ?? []
        if let override = options.entrypoint {
            entrypoint = override == [""] ? [] : override
            if !override.isEmpty { cmd = [] }
        }
        if !options.command.isEmpty { cmd = options.command }
        let arguments = entrypoint + cmd
        guard let path = arguments.first else {
            throw CellError(.setup, "No command specified")
        }

        let environment = try ContainerEnvironment.compose(image: imageConfig.env ?? [], hostname: hostname,
                                                            tty: options.tty, files: options.environmentFiles,
                                                            overrides: options.environment)
        let layers = try images.unpackedLayers(of: image)
        let userText = options.user ?? imageConfig.user ?? ""
        let user = try ImageUserResolver(layerDirectories: layers.reversed()).resolve(userText, additionalGroups: options.groupAdd)
        // -w "" is no -w, as in Docker.
        let workingDirectory = [options.workingDirectory, imageConfig.workingDir].compactMap { $0 }.first { !$0.isEmpty } ?? "/"
        guard workingDirectory.hasPrefix("/") else {
            throw CellError(.setup, "the working directory '\(workingDirectory)' is invalid, it needs to be an absolute path")
        }


        var exposed = Set((imageConfig.exposedPorts ?? [:]).keys)
        for text in options.expose { exposed.formUnion(try PortSpecification.exposedPorts(text)) }
        var bindings = try options.publish.flatMap { try PortSpecification.parse($0) }
        if options.publishAll {
            for port in exposed.sorted() {
                let parts = port.split(separator: "/")
                guard let number = UInt16(parts[0]) else { continue }
                let proto = parts.count > 1 ? String(parts[1]) : "tcp"
                if !bindings.contains(where: { $0.containerPort == number && $0.proto == proto }) {
                    bindings.append(PortBinding(containerPort: number, proto: proto))
                }
            }
        }
        // Nothing to publish from the host's own network; and nothing from an internal one, as
        // Docker sets no port up there: the host's proxy would be a way in that `--internal`
        // promises there is not.
        if network == .host || networkPlan.network?.isInternal == true { bindings = [] }
        for binding in bindings { exposed.insert("\(binding.containerPort)/\(binding.proto)") }

        var (mounts, volumeRequests) = try MountOptions.parse(volumes: options.volumes, tmpfs: options.tmpfs)
        let (inheritedMounts, inheritedVolumes) = try inheritedFromOthers(options.volumesFrom,
                                                                          taken: mounts.map(\.destination) + volumeRequests.map(\.destination))
        mounts += inheritedMounts
        volumeRequests += inheritedVolumes
        let volumes = try VolumePlan(requests: volumeRequests, imageVolumes: Array((imageConfig.volumes ?? [:]).keys),
                                     otherDestinations: mounts.map(\.destination))
        mounts += try volumes.mounts(in: volumeStore)
        // --init: PID 1 is cell-init (read-only from the host), the command its child.
        var processArguments = arguments
        if options.initProcess {
            // Its mount point would be made in what the volume mounted there (a host directory).
            if let volume = mounts.first(where: { MountDestination.hides(ContainerCreator.initPath, destination: $0.destination) }) {
                throw CellError(.setup, "--init cannot be used with a volume at \(volume.destination): cell-init is mounted at \(ContainerCreator.initPath)")
            }
            mounts.append(.bind(source: initBinary, destination: ContainerCreator.initPath, access: .readOnly))
            processArguments = [ContainerCreator.initPath, "--"] + arguments
        }
        var labels = imageConfig.labels ?? [:]
        for label in options.labels {
            let parts = label.split(separator: "=", maxSplits: 1)
            labels[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }

        let security = try SecurityOptions(options)
        let ulimits = try ProcessSettings.ulimits(options.ulimits)
        let (hostNamespaces, joinedNamespaces) = try ContainerCreator.namespaceModes(options)
        // A joined namespace is another container's: its sysctls are not this one's to set.
        let sysctls = try ProcessSettings.sysctls(options.sysctls, network: network,
                                                  hostNamespaces: hostNamespaces.union(joinedNamespaces))
        let shmSize = try ProcessSettings.shmSize(options.shmSize)
        let oomScoreAdjustment = try ProcessSettings.oomScoreAdjustment(options.oomScoreAdjustment)
        let resolver = try EtcFiles.Resolver(servers: options.dns, search: options.dnsSearch, options: options.dnsOptions).checked()
        var files = EtcFiles.make(hostname: hostname, network: network, extraHosts: options.addHost, resolver: resolver)
        var spec = ContainerSpec(
            id: id,
            rootFilesystem: .overlay(.init(lowerDirectories: layers.reversed(), upperDirectory: "\(directory)/upper",
                                           workDirectory: "\(directory)/work", mergedDirectory: "\(directory)/merged")),
            process: .init(arguments: processArguments, environment: environment, workingDirectory: workingDirectory,
                           uid: user.uid, gid: user.gid, additionalGids: user.additionalGids, terminal: options.tty,
                           capabilities: security.capabilities, noNewPrivileges: security.noNewPrivileges,
                           seccomp: options.privileged ? .unconfined : security.seccomp,
                           ulimits: ulimits, oomScoreAdjustment: oomScoreAdjustment),
            hostname: hostname, network: network, mounts: mounts, readOnlyRootFilesystem: options.readOnly,
            hostsFile: "\(directory)/hosts", hostnameFile: "\(directory)/hostname", resolvConfFile: "\(directory)/resolv.conf",
            maskedPaths: options.privileged || security.systemPathsUnconfined ? [] : ContainerSpec.defaultMaskedPaths,
            readOnlyPaths: options.privileged || security.systemPathsUnconfined ? [] : ContainerSpec.defaultReadOnlyPaths,
            ports: [], autoRemove: options.autoRemove, nameLink: containers.nameLink(for: name))

        spec.devicesAllowed = options.privileged
        (spec.devices, spec.deviceRules) = try DeviceOptions.parse(devices: devices, cgroupRules: options.deviceCgroupRules,
                                                                   privileged: options.privileged)
        spec.cgroupsWritable = options.privileged
        spec.cgroups = cgroups
        let limits = options.limits.withCreationDefaults()
        try limits.validate()
        spec.limits = limits
        spec.seccompCache = images.layout.seccompCache
        guard FileSystem.exists(initBinary) else { throw CellError(.setup, "\(initBinary) is missing (cell-init execs every container process)") }
        spec.execHelper = initBinary
        spec.idMapping = try idMapping(options)
        spec.sysctls = sysctls
        spec.hostNamespaces = hostNamespaces
        spec.shmSize = shmSize
        spec.anonymousVolumes = volumes.entries.filter(\.anonymous).map { "\(volumeStore.layout.volumes)/\($0.name)" }
        spec.restartPolicy = try options.restartPolicy.map(RestartPolicy.init(parsing:)) ?? .never
        let (healthcheck, healthCheck) = try HealthSettings.resolve(image: imageConfig.healthcheck, options)
        spec.healthCheck = healthCheck
        let loggerInfo = LogOptions.LoggerInfo(id: id, name: name, image: options.image, imageID: image.id.description,
                                               command: arguments.joined(separator: " "), labels: labels, environment: environment)
        let logDefaults = try LogDefaults.current()
        let (logDriver, logWords) = logDefaults.resolve(driver: options.logDriver, options: options.logOptions)
        let (logConfiguration, logOptions) = try LogOptions.parse(driver: logDriver, options: logWords, info: loggerInfo)
        spec.logConfiguration = logConfiguration
        var record = ContainerRecord(
            id: id, name: name, created: now.rfc3339Nano, image: options.image, imageID: image.id.description,
            path: path, args: Array(arguments.dropFirst()),
            config: .init(hostname: hostname, user: userText, env: environment,
                          cmd: cmd.isEmpty ? nil : cmd, entrypoint: entrypoint.isEmpty ? nil : entrypoint,
                          workingDir: options.workingDirectory.flatMap { $0.isEmpty ? nil : $0 } ?? imageConfig.workingDir ?? "", labels: labels,
                          exposedPorts: exposed.sorted(), stopSignal: options.stopSignal ?? imageConfig.stopSignal,
                          stopTimeout: options.stopTimeout, tty: options.tty, openStdin: options.interactive,
                          volumes: (imageConfig.volumes ?? [:]).keys.sorted(),
                          stdinOnce: options.stdinOnce && options.interactive ? true : nil),
            hostConfig: .init(binds: options.volumes, portBindings: bindings, publishAllPorts: options.publishAll,
                              networkMode: options.network, autoRemove: options.autoRemove,
                              readonlyRootfs: options.readOnly, tmpfs: MountOptions.tmpfsTable(options.tmpfs),
                              initProcess: options.initProcess, privileged: options.privileged,
                              capAdd: options.capAdd, capDrop: options.capDrop, securityOpt: options.securityOpt,
                              extraHosts: options.addHost, resources: limits.isEmpty ? nil : limits,
                              groupAdd: options.groupAdd, devices: devices,
                              deviceCgroupRules: options.deviceCgroupRules, usernsMode: options.userNamespace ?? "",
                              maskedPaths: spec.maskedPaths, readonlyPaths: spec.readOnlyPaths,
                              ulimits: ulimits, sysctls: sysctls, shmSize: shmSize, oomScoreAdj: oomScoreAdjustment,
                              cgroups: spec.cgroups == .disabled ? spec.cgroups.rawValue : nil,
                              dns: options.dns.isEmpty ? nil : options.dns, dnsSearch: options.dnsSearch.isEmpty ? nil : options.dnsSearch,
                              dnsOptions: options.dnsOptions.isEmpty ? nil : options.dnsOptions,
                              pidMode: options.pidMode.isEmpty ? nil : options.pidMode,
                              ipcMode: options.ipcMode.isEmpty ? nil : options.ipcMode,
                              utsMode: options.utsMode.isEmpty ? nil : options.utsMode),
            layerDirectories: layers)
        if spec.restartPolicy != .never { record.hostConfig.restartPolicy = .init(spec.restartPolicy) }
        record.config.healthcheck = healthcheck
        if options.logDriver != nil || !logOptions.isEmpty || logDefaults != LogDefaults() {
            record.hostConfig.logConfig = .init(type: logConfiguration.driver.rawValue, config: logOptions)
        }
        record.mountPoints = volumes.entries.map {
            ContainerRecord.MountPoint(name: $0.name, destination: $0.destination, readOnly: $0.readOnly, anonymous: $0.anonymous)
        }
        // The volumes last, once everything else has been checked; undone if the record fails.
        let madeVolumes = try volumes.realize(in: volumeStore, imageLayers: layers)
        guard let joined = networkPlan.network else {
            do {
                return try publish(record, spec: &spec, files: files, userNamespace: options.userNamespace)
            } catch {
                for name in madeVolumes { try? volumeStore.remove(name) }
                throw error
            }
        }
        // A user of the network from taking its address until the record is on disk: `network
        // rm` waits, then finds the container on it.
        return try networkStore.withLock(.shared) {
            var claimed: NetworkEndpoint?
            do {
                if let (endpoint, attachment) = try networkPlan.realize(containerID: id, store: networkStore) {
                    claimed = endpoint
                    spec.networkAttachments = [attachment]
                    record.networks = [joined.name: endpoint]
                    // Links are lines beside --add-host's, in the record too (inspect, and a repair of the file).
                    let linked = try networkPlan.linkedHosts(options.links, containers: containers)
                    record.hostConfig.extraHosts += linked
                    files["hosts"] = Array(EtcFiles.hostsFile(hostname: hostname, extraHosts: options.addHost + linked,
                                                              ownAddress: endpoint.ipAddress, peers: []).utf8)
                }
                let container = try publish(record, spec: &spec, files: files, userNamespace: options.userNamespace)
                // Its peers' names in its hosts file, and its name in theirs.
                NetworkHosts.join(container.record, network: joined, store: networkStore)
                return container
            } catch {
                if let claimed { networkStore.releaseAddress(claimed.ipAddress, in: joined.name, for: id) }
                for name in madeVolumes { try? volumeStore.remove(name) }
                throw error
            }
        }
    }

    private func publish(_ record: ContainerRecord, spec: inout ContainerSpec, files: [String: [UInt8]],
                         userNamespace: String?) throws -> Container {
        guard userNamespace == "auto" else { return try created(record, spec: spec, files: files) }
        // Chosen and recorded under one lock, so that two containers never share ids.
        let lock = try FileLock(path: "\(images.layout.locks)/userns.lock")
        try lock.lock()
        spec.idMapping = try SubordinateIDs.automatic(avoiding: try containers.list().compactMap {
            try? ContainerSpec.read(fromContainerDirectory: $0.directory).idMapping
        })
        return try created(record, spec: spec, files: files)
    }

    /// The container on disk; with a user namespace, the /etc files it binds are its root's.
    private func created(_ record: ContainerRecord, spec: ContainerSpec, files: [String: [UInt8]]) throws -> Container {
        PhaseTrace.mark("container planned")
        // Encoded once, for the monitor's preview and the record.
        let encodedSpec = try spec.encoded()
        if let planned {
            planned(spec, encodedSpec, containers.directory(of: record.id))
            PhaseTrace.mark("spec previewed")
        }
        let container = try containers.create(record, spec: spec, encodedSpec: encodedSpec, files: files)
        PhaseTrace.mark("record written")
        if let mapping = spec.idMapping {
            for name in files.keys where chown("\(container.directory)/\(name)", mapping.uids.hostStart, mapping.gids.hostStart) != 0 {
                let error = CellError.system("chown \(name): \(Syscall.errorString(errno))")
                try? containers.remove(container)
                throw error
            }
        }
        return container
    }

    /// --volumes-from CONTAINER[:ro|rw]: the container's binds and volumes (by name: they stay
    /// its, and this container's `rm -v` does not remove them), where nothing else is mounted.
    private func inheritedFromOthers(_ references: [String], taken: [String]) throws -> ([ContainerSpec.Mount], [MountOptions.VolumeRequest]) {
        var taken = Set(taken)
        var mounts: [ContainerSpec.Mount] = []
        var requests: [MountOptions.VolumeRequest] = []
        for reference in references {
            var name = reference
            var forcedReadOnly = false
            if let colon = reference.lastIndex(of: ":") {
                let mode = reference[reference.index(after: colon)...]
                guard mode == "ro" || mode == "rw" else { throw CellError(.setup, "invalid mode for volumes-from: \(mode)") }
                forcedReadOnly = mode == "ro"
                name = String(reference[..<colon])
            }
            guard let other = try containers.find(name) else { throw CellError(.setup, "No such container: \(name)") }
            let (binds, _) = try MountOptions.parse(volumes: other.record.hostConfig.binds.filter { $0.hasPrefix("/") && $0.contains(":") }, tmpfs: [])
            for case .bind(let source, let destination, let access) in binds where taken.insert(destination).inserted {
                mounts.append(.bind(source: source, destination: destination, access: forcedReadOnly ? .readOnly : access))
            }
            for mount in other.record.mountPoints ?? [] where taken.insert(mount.destination).inserted {
                requests.append(MountOptions.VolumeRequest(name: mount.name, destination: mount.destination,
                                                           readOnly: forcedReadOnly || mount.readOnly, copiesImageContent: false))
            }
        }
        return (mounts, requests)
    }

    /// --pid, --ipc and --uts as Docker takes them: "host" shares the host's namespace; "",
    /// "private" and (for IPC) "shareable" give the container its own; `container:NAME` (PID
    /// and IPC) joins that container's, looked up at each start (`NamespaceDonors`). Docker's
    /// words for anything else: the CLI's for --pid and --uts, the daemon's for --ipc.
    static func namespaceModes(_ options: RunOptions) throws -> (host: Set<ContainerSpec.HostNamespace>,
                                                                 joined: Set<ContainerSpec.HostNamespace>) {
        var host: Set<ContainerSpec.HostNamespace> = [], joined: Set<ContainerSpec.HostNamespace> = []
        for (namespace, mode, own) in [(ContainerSpec.HostNamespace.pid, options.pidMode, ["", "private"]),
                                       (.ipc, options.ipcMode, ["", "private", "shareable"]),
                                       (.uts, options.utsMode, ["", "private"])] {
            if mode == "host" {
                host.insert(namespace)
            } else if namespace != .uts, let donor = NamespaceDonors.reference(in: mode), !donor.isEmpty {
                joined.insert(namespace)
            } else if !own.contains(mode) {
                if namespace == .ipc { throw CellError(.setup, "invalid IPC mode: \(mode)") }
                throw CellError(.usage, "--\(namespace.rawValue): invalid \(namespace.rawValue.uppercased()) mode")
            }
        }
        return (host, joined)
    }

    /// podman's --cgroups, checked before anything is made: enabled or disabled, and disabled
    /// with no limit to set (they would have no cgroup to go into), in podman's words.
    static func cgroupsMode(_ options: RunOptions, devices: [DeviceOptions.Mapping]) throws -> ContainerSpec.CgroupsMode {
        guard let text = options.cgroups else { return .enabled }
        guard let mode = ContainerSpec.CgroupsMode(rawValue: text) else {
            throw CellError(.setup, "invalid cgroup mode \"\(text)\": cell knows enabled and disabled")
        }
        if mode == .disabled && (!options.limits.isEmpty || !options.deviceCgroupRules.isEmpty) {
            throw CellError(.setup, "Cannot set resource limits when cgroups are disabled")
        }
        // A --device node opens as its mode says without the devices cgroup: access narrower than
        // rw (":r") would not hold.
        if mode == .disabled, let (narrowed, _) = zip(options.devices, devices).first(where: {
            !$0.1.access.isSuperset(of: [.read, .write])
        }) {
            throw CellError(.setup, "--device \(narrowed): device permissions need the devices cgroup, and cgroups are disabled")
        }
        return mode
    }

    /// --userns, --uidmap, --gidmap: a mapping, or nil for the host's ids.
    private func idMapping(_ options: RunOptions) throws -> IDMapping? {
        switch options.userNamespace ?? "" {
        case "", "host":
            let uids = try options.uidMap.map { try IDMapping.parseRange($0, flag: "--uidmap") }
            let gids = try options.gidMap.map { try IDMapping.parseRange($0, flag: "--gidmap") }
            guard let either = uids ?? gids else { return nil }
            if options.privileged { throw CellError(.usage, "privileged mode is incompatible with user namespace remapping") }
            return IDMapping(uids: uids ?? either, gids: gids ?? either)
        case "auto":
            if options.privileged { throw CellError(.usage, "privileged mode is incompatible with user namespace remapping") }
            if options.uidMap != nil || options.gidMap != nil { throw CellError(.usage, "--userns=auto and --uidmap/--gidmap are exclusive") }
            return nil  // chosen when the container is recorded
        default:
            throw CellError(.usage, "unsupported --userns mode \"\(options.userNamespace ?? "")\" (host or auto)")
        }
    }

    private func generateName() throws -> String {
        for attempt in 0..<10 {
            let name = NameGenerator.generate(retry: attempt)
            if !containers.isNameInUse(name) { return name }
        }
        return NameGenerator.generate(retry: 1) + String(Int.random(in: 10..<100))
    }

    static func validated(_ name: String) throws -> String {
        let bare = name.hasPrefix("/") ? String(name.dropFirst()) : name
        guard NameGenerator.isValid(bare) else {
            throw CellError.usage("Invalid container name (\(name)), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }
        return bare
    }

    /// 64 lower-case hex digits, as docker's ids; never all digits (docker avoids ids that
    /// look like numbers, since short ids are used as names).
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            var id = ""
            for _ in 0..<4 {
                let word = String(generator.next(), radix: 16)
                id += String(repeating: "0", count: 16 - word.count) + word
            }
            if id.prefix(12).contains(where: { $0.isLetter }) { return id }
        }
    }
}
