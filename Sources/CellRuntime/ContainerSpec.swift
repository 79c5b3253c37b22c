import CellCore
import CellCgroups
import CellPrivileges
import CellNetwork

/// Everything the monitor needs to start one container process: the root file system, the
/// process, its namespaces and mounts. The CLI writes it to `<container-dir>/spec`
/// (`ContainerSpec.encoded()`), the monitor reads it back (`ContainerSpec(decoding:)`).
public struct ContainerSpec: Equatable, Sendable {
    /// The overlay that becomes the container's root: image layers below, a private upper dir.
    public struct Overlay: Equatable, Sendable {
        /// Top-most layer first, as overlayfs's lowerdir= wants them.
        public var lowerDirectories: [String]
        public var upperDirectory: String
        public var workDirectory: String
        /// Where the overlay is mounted (inside the container's mount namespace only).
        public var mergedDirectory: String

        public init(lowerDirectories: [String], upperDirectory: String, workDirectory: String, mergedDirectory: String) {
            self.lowerDirectories = lowerDirectories
            self.upperDirectory = upperDirectory
            self.workDirectory = workDirectory
            self.mergedDirectory = mergedDirectory
        }
    }

    public enum RootFilesystem: Equatable, Sendable {
        case overlay(Overlay)
        /// A plain directory used as is (tests, or a rootfs prepared by someone else).
        case directory(String)
    }

    public struct Process: Equatable, Sendable {
        public var arguments: [String]
        /// "NAME=value" strings; PATH here is what the command is looked up in.
        public var environment: [String]
        public var workingDirectory: String
        public var uid: UInt32
        public var gid: UInt32
        public var additionalGids: [UInt32]
        /// Run on a pseudo-terminal (`-t`).
        public var terminal: Bool
        /// Its capabilities (docker's default set unless told otherwise); `exec` gets the same.
        public var capabilities: Capabilities
        /// --security-opt no-new-privileges: setuid binaries do not raise privileges.
        public var noNewPrivileges: Bool
        /// The system calls it may make.
        public var seccomp: SeccompPolicy
        /// --ulimit: resource limits set before exec (the others are the monitor's, or for
        /// `exec` the caller's); an exec'd process gets the same, as with runc.
        public var ulimits: [Ulimit]
        /// --oom-score-adj: written to /proc/self/oom_score_adj before exec (and for `exec`
        /// too); nil leaves the value it inherits.
        public var oomScoreAdjustment: Int32?

        public init(arguments: [String], environment: [String] = ["PATH=\(ContainerSpec.defaultPath)"],
                    workingDirectory: String = "/", uid: UInt32 = 0, gid: UInt32 = 0,
                    additionalGids: [UInt32] = [], terminal: Bool = false,
                    capabilities: Capabilities = .dockerDefault, noNewPrivileges: Bool = false,
                    seccomp: SeccompPolicy = .dockerDefault, ulimits: [Ulimit] = [], oomScoreAdjustment: Int32? = nil) {
            self.arguments = arguments
            self.environment = environment
            self.workingDirectory = workingDirectory
            self.uid = uid
            self.gid = gid
            self.additionalGids = additionalGids
            self.terminal = terminal
            self.capabilities = capabilities
            self.noNewPrivileges = noNewPrivileges
            self.seccomp = seccomp
            self.ulimits = ulimits
            self.oomScoreAdjustment = oomScoreAdjustment
        }
    }

    /// A namespace a container may share with the host.
    public enum HostNamespace: String, Sendable, Hashable, CaseIterable {
        /// `net` is only ever joined (another container's); the host's is `NetworkMode.host`.
        case pid, ipc, uts, net
    }

    /// The network a container joins (`CellNetwork`).
    public typealias NetworkMode = CellNetwork.NetworkMode

    public enum Mount: Equatable, Sendable {
        case bind(source: String, destination: String, access: BindAccess)
        case tmpfs(destination: String, options: String)

        /// The path in the container.
        public var destination: String {
            switch self {
            case .bind(_, let destination, _), .tmpfs(let destination, _): return destination
            }
        }
    }

    /// Whether a bind can be written, with Docker's -v modes as raw values. Read-only is
    /// recursive, as in Docker 25: with `-v /:/host:ro` the host's /proc, /sys and cgroups below
    /// it must not be writable (kernel.core_pattern is host root's code execution).
    public enum BindAccess: String, Equatable, Sendable {
        case readWrite = "rw"
        /// Every mount below the source too; the start fails where the kernel cannot do that.
        case readOnly = "ro"
        /// The top mount only, as before Docker 25: asked for by name (`ro-non-recursive`).
        case readOnlyTopOnly = "ro-non-recursive"

        public var isReadOnly: Bool { self != .readWrite }
    }

    /// A published port as the monitor serves it (`CellNetwork`).
    public typealias PortMapping = CellNetwork.PortMapping

    /// The size of /dev/shm without --shm-size: Docker's 64 MiB.
    public static let defaultShmSize: Int64 = 64 * 1024 * 1024

    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    public static let defaultMaskedPaths = [
        "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ]
    public static let defaultReadOnlyPaths = [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ]

    /// Whether the container gets cgroups of its own (podman's `--cgroups=enabled|disabled`).
    public enum CgroupsMode: String, Equatable, Sendable {
        case enabled, disabled
    }

    public var id: String
    public var rootFilesystem: RootFilesystem
    public var process: Process
    public var hostname: String
    public var network: NetworkMode
    /// The host's namespaces the container shares instead of having its own (`--pid host`,
    /// `--ipc host`, `--uts host`).
    public var hostNamespaces: Set<HostNamespace> = []
    /// Other containers' namespaces it joins (`--pid container:NAME`, `--ipc container:NAME`):
    /// the donor's container directory, by namespace, as found at the last start.
    public var joinedNamespaces: [HostNamespace: String] = [:]
    /// The directories of the anonymous volumes made for it: a `--rm` container takes them along.
    public var anonymousVolumes: [String] = []
    /// The bridge networks it joins, plumbed by its monitor before it execs (`network` is
    /// `.private` then: a namespace of its own, the veths added to it).
    public var networkAttachments: [NetworkAttachment] = []
    /// `--restart`: the monitor starts the process again as it says.
    public var restartPolicy = RestartPolicy.never
    /// The check the monitor runs on schedule (HEALTHCHECK, --health-*); nil for none.
    public var healthCheck: HealthCheck?
    /// `--log-driver` and its options.
    public var logConfiguration = LogConfiguration.standard
    public var mounts: [Mount]
    public var readOnlyRootFilesystem: Bool
    /// Host files bound at /etc/hosts, /etc/hostname, /etc/resolv.conf (prepared by the caller).
    public var hostsFile: String?
    public var hostnameFile: String?
    public var resolvConfFile: String?
    /// The cgroup is `<cgroupParent>/<cgroupName>` in every hierarchy. An absolute parent
    /// ("/cell") starts at the hierarchy's root; a relative one at the monitor's own cgroup.
    public var cgroupParent: String
    public var cgroupName: String
    public var maskedPaths: [String]
    public var readOnlyPaths: [String]
    public var ports: [PortMapping]
    /// docker run --rm: the monitor removes the container when it exits, and its files are
    /// not made durable (after a power cut such a container has nothing worth keeping).
    public var autoRemove: Bool
    /// The store's symlink that names this container, unlinked by the auto-remove.
    public var nameLink: String?
    /// --privileged: no devices cgroup restriction, and no mount is nodev (else every mount but
    /// /dev is nodev, and the cgroup lets only Docker's default devices and `deviceRules` open).
    public var devicesAllowed = false
    /// The nodes made in /dev: Docker's defaults, then --device's (or the host's, privileged).
    public var devices = DeviceNode.dockerDefaults
    /// What the devices cgroup allows beyond Docker's defaults (--device, --device-cgroup-rule).
    public var deviceRules: [DeviceRule] = []
    /// --privileged: /sys and the cgroup view at /sys/fs/cgroup are writable (else read-only),
    /// so that systemd or a nested runtime inside can make cgroups below the container's.
    public var cgroupsWritable = false
    /// podman's --cgroups: `enabled`, a cgroup of its own (limits, the devices allow-list, a
    /// cgroup namespace and its view at /sys/fs/cgroup); `disabled`, none of them: the container
    /// stays in its monitor's cgroup, and only its pid namespace holds its processes together.
    public var cgroups = CgroupsMode.enabled
    /// Where compiled seccomp programs are kept between containers (the store's), if anywhere.
    public var seccompCache: String?
    /// What its cgroup is limited to.
    public var limits = ResourceLimits()
    /// The static cell-init that execs the container's processes from a sealed, read-only
    /// mount, so that none of them can reach a writable host binary of cell's through
    /// /proc/PID/exe (CVE-2019-5736); nil: they are exec'd directly (tests of the runtime). A
    /// monitor started sealed (`SealedExecutable`) execs its container's first process without it.
    public var execHelper: String?
    /// Its own user namespace with these ids, or nil to share the host's.
    public var idMapping: IDMapping?
    /// --sysctl: written below the container's /proc/sys (in its own network and IPC
    /// namespaces) before /proc/sys is made read-only.
    public var sysctls: [String: String] = [:]
    /// --shm-size: the size of the tmpfs at /dev/shm, in bytes.
    public var shmSize = ContainerSpec.defaultShmSize

    public init(id: String, rootFilesystem: RootFilesystem, process: Process, hostname: String? = nil,
                network: NetworkMode = .private, mounts: [Mount] = [], readOnlyRootFilesystem: Bool = false,
                hostsFile: String? = nil, hostnameFile: String? = nil, resolvConfFile: String? = nil,
                cgroupParent: String = "/cell", cgroupName: String? = nil,
                maskedPaths: [String] = ContainerSpec.defaultMaskedPaths,
                readOnlyPaths: [String] = ContainerSpec.defaultReadOnlyPaths, ports: [PortMapping] = [],
                autoRemove: Bool = false, nameLink: String? = nil) {
        self.id = id
        self.rootFilesystem = rootFilesystem
        self.process = process
        self.hostname = hostname ?? String(id.prefix(12))
        self.network = network
        self.mounts = mounts
        self.readOnlyRootFilesystem = readOnlyRootFilesystem
        self.hostsFile = hostsFile
        self.hostnameFile = hostnameFile
        self.resolvConfFile = resolvConfFile
        self.cgroupParent = cgroupParent
        self.cgroupName = cgroupName ?? id
        self.maskedPaths = maskedPaths
        self.readOnlyPaths = readOnlyPaths
        self.ports = ports
        self.autoRemove = autoRemove
        self.nameLink = nameLink
    }

    /// Its cgroup, `<cgroupParent>/<cgroupName>` in the host's hierarchies, made or not; nil with
    /// --cgroups=disabled.
    public var cgroup: Cgroup? {
        get throws {
            cgroups == .disabled ? nil : try Cgroup(layout: CgroupLayout.detect(), parent: cgroupParent, name: cgroupName)
        }
    }

    /// The directory that becomes /.
    public var rootDirectory: String {
        switch rootFilesystem {
        case .overlay(let overlay): return overlay.mergedDirectory
        case .directory(let path): return path
        }
    }

    /// The value of PATH in the container's environment, if any.
    public var searchPath: String? {
        process.environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
    }

    /// The mounts in the order they are made: the caller's, then the /etc files (which win;
    /// read-only with a read-only root, as Docker has them).
    public var allMounts: [Mount] {
        var result = mounts
        let access: BindAccess = readOnlyRootFilesystem ? .readOnly : .readWrite
        if let hostsFile { result.append(.bind(source: hostsFile, destination: "/etc/hosts", access: access)) }
        if let hostnameFile { result.append(.bind(source: hostnameFile, destination: "/etc/hostname", access: access)) }
        if let resolvConfFile { result.append(.bind(source: resolvConfFile, destination: "/etc/resolv.conf", access: access)) }
        return result
    }

    /// The host's uid for the container's `uid`: the same without a user namespace; nil when
    /// the mapping has no place for it. A -t process's tty belongs to it, as runc gives it.
    public func hostUID(of uid: UInt32) -> UInt32? {
        guard let idMapping else { return uid }
        return idMapping.uids.hostID(of: uid)
    }

    /// runc's refusal of a network sysctl for a container in the host's network namespace
    /// (--network host): it would change the host's.
    public static func checkSysctls<Keys: Sequence<String>>(_ keys: Keys, network: NetworkMode,
                                                            hostNamespaces: Set<HostNamespace> = []) throws {
        let sorted = keys.sorted()
        func starts(_ key: String, _ prefix: String) -> Bool { key.hasPrefix(prefix + ".") || key.hasPrefix(prefix + "/") }
        if network == .host, let key = sorted.first(where: { starts($0, "net") }) {
            throw CellError(.setup, "sysctl \(GoQuote.quote(key)) not allowed in host network namespace")
        }
        if network == .container, let key = sorted.first(where: { starts($0, "net") }) {
            throw CellError(.setup, "sysctl \(GoQuote.quote(key)) is not allowed in a joined network namespace")
        }
        // As runc: the IPC and UTS sysctls belong to namespaces the host's then are.
        if hostNamespaces.contains(.ipc), let key = sorted.first(where: { starts($0, "fs.mqueue") || ["kernel.msgmax", "kernel.msgmnb",
                "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"].contains($0) }) {
            throw CellError(.setup, "sysctl \(GoQuote.quote(key)) is not allowed in host IPC namespace")
        }
        if hostNamespaces.contains(.uts), let key = sorted.first(where: { $0 == "kernel.domainname" || $0 == "kernel.hostname" }) {
            throw CellError(.setup, "sysctl \(GoQuote.quote(key)) is not allowed in host UTS namespace")
        }
    }

    /// Where a sysctl is below /proc/sys: "net.ipv4.ip_forward" → "net/ipv4/ip_forward". As with
    /// runc, a key whose first separator is "/" is a path already, and in one written with dots
    /// a "/" stands for a dot ("net.ipv4.conf.eth0/1.rp_filter": interface "eth0.1"). nil for a
    /// key with an empty, "." or ".." component.
    public static func sysctlPath(_ key: String) -> String? {
        guard let first = key.firstIndex(where: { $0 == "." || $0 == "/" }) else { return key.isEmpty ? nil : key }
        let path = key[first] == "/" ? key : String(key.map { $0 == "." ? "/" : $0 == "/" ? "." : $0 })
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return nil }
        return path
    }
}
