import ArgumentParser
import CellContainers
import CellCore
import CellFormat
import CellRegistry

/// The flags `cell create` and `cell run` share, with docker's names.
struct ContainerFlags: ParsableArguments {
    @Option(name: .long, help: "Assign a name to the container.")
    var name: String?

    @Option(name: [.customShort("e"), .long], help: "Set environment variables.")
    var env: [String] = []

    @Option(name: .customLong("env-file"), help: "Read in a file of environment variables.", completion: .file())
    var envFile: [String] = []

    @Option(name: [.customShort("w"), .customLong("workdir")], help: "Working directory inside the container.")
    var workdir: String?

    @Option(name: [.customShort("u"), .long], help: "Username or UID (format: <name|uid>[:<group|gid>]).")
    var user: String?

    @Option(help: "Overwrite the default ENTRYPOINT of the image.")
    var entrypoint: String?

    @Option(name: [.customShort("h"), .long], help: "Container host name.")
    var hostname: String?

    @Option(name: [.customShort("v"), .long], help: "Bind mount a volume (HOST:CONTAINER[:ro]).")
    var volume: [String] = []

    @Option(help: "Restart policy to apply when a container exits (no, on-failure[:max-retries], always, unless-stopped).")
    var restart: String?

    @Option(name: .customLong("health-cmd"), help: "Command to run to check health.")
    var healthCmd: String?

    @Option(name: .customLong("health-interval"), help: "Time between running the check (ms|s|m|h) (default 30s).")
    var healthInterval: String?

    @Option(name: .customLong("health-timeout"), help: "Maximum time to allow one check to run (ms|s|m|h) (default 30s).")
    var healthTimeout: String?

    @Option(name: .customLong("health-start-period"), help: "Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s).")
    var healthStartPeriod: String?

    @Option(name: .customLong("health-start-interval"), help: "Time between running the check during the start period (ms|s|m|h) (default 5s).")
    var healthStartInterval: String?

    @Option(name: .customLong("health-retries"), parsing: .unconditional, help: "Consecutive failures needed to report unhealthy.")
    var healthRetries: Int?

    @Flag(name: .customLong("no-healthcheck"), help: "Disable any container-specified HEALTHCHECK.")
    var noHealthcheck = false

    @Option(name: .customLong("volumes-from"), help: "Mount volumes from the specified container(s) (CONTAINER[:ro|rw]).")
    var volumesFrom: [String] = []

    @Option(help: "Mount a tmpfs directory (PATH[:OPTIONS]).")
    var tmpfs: [String] = []

    @Option(help: "Attach a filesystem mount to the container (type=bind|tmpfs,source=...,target=...).")
    var mount: [String] = []

    @Flag(name: .customLong("read-only"), help: "Mount the container's root filesystem as read only.")
    var readOnly = false

    @Flag(name: .customLong("init"), help: "Run an init inside the container that forwards signals and reaps processes.")
    var initProcess = false

    @Option(name: [.customShort("p"), .long], help: "Publish a container's port(s) to the host.")
    var publish: [String] = []

    @Flag(name: [.customShort("P"), .customLong("publish-all")], help: "Publish all exposed ports to random ports.")
    var publishAll = false

    @Option(help: "Expose a port or a range of ports.")
    var expose: [String] = []

    @Option(name: [.long, .customLong("net")], help: "Connect a container to a network (default, bridge, host, none, container:NAME, or a network's name).")
    var network: String = "default"

    @Option(name: [.customLong("network-alias"), .customLong("net-alias")], help: "Add network-scoped alias for the container.")
    var networkAlias: [String] = []

    @Option(help: "IPv4 address (e.g., 172.30.100.104).")
    var ip: String?

    @Option(name: .customLong("mac-address"), help: "Container MAC address (e.g., 92:d0:c6:0a:29:33).")
    var macAddress: String?

    @Option(name: [.customShort("l"), .long], help: "Set meta data on a container.")
    var label: [String] = []

    @Option(name: .customLong("stop-signal"), help: "Signal to stop the container.")
    var stopSignal: String?

    @Option(name: .customLong("stop-timeout"), help: "Timeout (in seconds) to stop a container.")
    var stopTimeout: Int?

    @Flag(name: [.customShort("t"), .long], help: "Allocate a pseudo-TTY.")
    var tty = false

    @Flag(name: [.customShort("i"), .long], help: "Keep STDIN open even if not attached.")
    var interactive = false

    @Flag(name: .customLong("rm"), help: "Automatically remove the container when it exits.")
    var autoRemove = false

    @Flag(help: "Give extended privileges to this container.")
    var privileged = false

    @Option(name: .customLong("cap-add"), help: "Add Linux capabilities.")
    var capAdd: [String] = []

    @Option(name: .customLong("cap-drop"), help: "Drop Linux capabilities.")
    var capDrop: [String] = []

    @Option(name: .customLong("security-opt"), help: "Security options.")
    var securityOpt: [String] = []

    @Option(help: "Add a host device to the container (HOST[:CONTAINER][:PERMISSIONS]).")
    var device: [String] = []

    @Option(name: .customLong("device-cgroup-rule"), help: "Add a rule to the cgroup allowed devices list ('c 10:200 rwm').")
    var deviceCgroupRule: [String] = []

    @Option(name: .customLong("group-add"), help: "Add additional groups to join.")
    var groupAdd: [String] = []

    @Option(name: .customLong("add-host"), help: "Add a custom host-to-IP mapping (host:ip).")
    var addHost: [String] = []

    @Option(help: "User namespace: host (the default) or auto (ids of user containers in /etc/subuid, /etc/subgid).")
    var userns: String?

    @Option(help: "Map the container's uids 0..SIZE to the host's from HOST_ID (0:HOST_ID:SIZE).")
    var uidmap: String?

    @Option(help: "Map the container's gids the same way (default: as --uidmap).")
    var gidmap: String?

    @OptionGroup var resources: ResourceFlags

    // run and create only (docker update has neither).
    @Option(name: .customLong("memory-swappiness"), parsing: .unconditional, help: "Tune container memory swappiness (0 to 100).")
    var memorySwappiness: Int64 = -1

    @Flag(name: .customLong("oom-kill-disable"), help: "Disable OOM Killer.")
    var oomKillDisable = false

    @Option(help: "Ulimit options (TYPE=SOFT[:HARD], e.g. nofile=1024:2048).")
    var ulimit: [String] = []

    @Option(help: "Sysctl options (namespaced: kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, net.*).")
    var sysctl: [String] = []

    @Option(name: .customLong("shm-size"), parsing: .unconditional, help: "Size of /dev/shm (default 64m).")
    var shmSize: String?

    @Option(name: .customLong("oom-score-adj"), parsing: .unconditional, help: "Tune host's OOM preferences (-1000 to 1000).")
    var oomScoreAdj: String?

    @Option(help: "Give the container cgroups of its own: enabled (the default) or disabled (it stays in its monitor's cgroup: no resource limits, no devices cgroup).")
    var cgroups: String?

    @Option(help: "PID namespace to use (host: the host's).")
    var pid: String = ""

    @Option(help: "IPC mode to use (private, shareable, host).")
    var ipc: String = ""

    @Option(help: "UTS namespace to use (host: the host's).")
    var uts: String = ""

    @Option(help: "Write the container ID to the file.", completion: .file())
    var cidfile: String?

    @Option(help: "Set custom DNS servers.")
    var dns: [String] = []

    @Option(name: .customLong("dns-search"), help: "Set custom DNS search domains.")
    var dnsSearch: [String] = []

    @Option(name: [.customLong("dns-option"), .customLong("dns-opt")], help: "Set DNS options.")
    var dnsOption: [String] = []

    @Option(help: "Add link to another container (name[:alias]).")
    var link: [String] = []

    @Option(name: .customLong("log-driver"), help: "Logging driver for the container (json-file, local, none).")
    var logDriver: String?

    @Option(name: .customLong("log-opt"), help: "Log driver options (max-size, max-file).")
    var logOpt: [String] = []

    @Option(help: "Pull image before running (\"always\", \"missing\", \"never\").")
    var pull: String?

    @Option(help: "Set platform if server is multi-platform capable (os/arch[/variant]).")
    var platform: String?

    /// The limits of `resources` with run's own two (the defaults: -1 and false).
    static func limits(_ resources: ResourceLimits, memorySwappiness: Int64 = -1, oomKillDisable: Bool = false) -> ResourceLimits {
        var limits = resources
        limits.memorySwappiness = memorySwappiness
        limits.oomKillDisable = oomKillDisable
        return limits.withZerosUnset()
    }

    /// Creates the container as `runner` does, its id written to `--cidfile` when asked; the
    /// image is pulled first if `--pull` says so.
    func create(_ options: RunOptions, with runner: ContainerRunner) throws -> Container {
        try Self.create(options, pull: pull, platform: platform, cidfile: cidfile, with: runner)
    }

    static func create(_ options: RunOptions, pull: String? = nil, platform: String? = nil, cidfile: String? = nil,
                       with runner: ContainerRunner) throws -> Container {
        let policy = try PullPolicy(parsing: pull ?? "missing")
        if policy == .always { try RegistryProgressDisplay.pullForRun(options.image, platform: platform, missing: false) }
        let fetch: ((String) throws -> Void)? = policy != .missing ? nil : {
            try RegistryProgressDisplay.pullForRun($0, platform: platform, missing: true)
        }
        let idFile = try cidfile.map(ContainerIDFile.init(claiming:))
        do {
            let container = try ContainerRunner.asRunError {
                try runner.create(options, warn: { Output.error("WARNING: \($0)") }, fetchMissingImage: fetch)
            }
            try idFile?.write(container.id)
            return container
        } catch {
            idFile?.discard()
            throw error
        }
    }

    func options(image: String, command: [String]) throws -> RunOptions {
        if let restart, autoRemove, restart != "no", !restart.isEmpty {
            throw CellError.usage("conflicting options: cannot specify both --restart and --rm")
        }
        var options = RunOptions(image: image)
        options.command = command
        options.name = name
        options.environment = env
        options.environmentFiles = envFile
        options.workingDirectory = workdir
        options.user = user
        options.entrypoint = entrypoint.map { [$0] }
        options.hostname = hostname
        options.volumes = volume
        options.tmpfs = tmpfs
        options.mounts = mount
        options.volumesFrom = volumesFrom
        options.restartPolicy = restart
        options.logDriver = logDriver
        options.logOptions = logOpt
        options.healthCmd = healthCmd
        options.healthInterval = healthInterval
        options.healthTimeout = healthTimeout
        options.healthStartPeriod = healthStartPeriod
        options.healthStartInterval = healthStartInterval
        options.healthRetries = healthRetries
        options.noHealthcheck = noHealthcheck
        options.pidMode = pid
        options.ipcMode = ipc
        options.utsMode = uts
        options.readOnly = readOnly
        options.initProcess = initProcess
        options.publish = publish
        options.publishAll = publishAll
        options.expose = expose
        options.dns = dns
        options.dnsSearch = dnsSearch
        options.dnsOptions = dnsOption
        options.network = network
        options.networkAliases = networkAlias
        options.links = link
        options.ipAddress = ip
        options.macAddress = macAddress
        options.labels = label
        options.stopSignal = stopSignal
        options.stopTimeout = stopTimeout
        options.tty = tty
        options.interactive = interactive
        options.autoRemove = autoRemove
        options.privileged = privileged
        options.capAdd = capAdd
        options.capDrop = capDrop
        options.securityOpt = securityOpt
        options.devices = device
        options.deviceCgroupRules = deviceCgroupRule
        options.groupAdd = groupAdd
        options.addHost = addHost
        options.userNamespace = userns
        options.uidMap = uidmap
        options.gidMap = gidmap
        options.limits = try Self.limits(resources.resourceLimits(), memorySwappiness: memorySwappiness, oomKillDisable: oomKillDisable)
        options.ulimits = ulimit
        options.sysctls = sysctl
        options.shmSize = shmSize
        options.oomScoreAdjustment = oomScoreAdj
        options.cgroups = cgroups
        return options
    }
}
