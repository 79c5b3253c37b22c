import CellCgroups

/// Everything `cell create`/`cell run` can say about a new container (docker's flags).
public struct RunOptions: Sendable {
    public var image: String
    public var command: [String] = []
    public var name: String?
    public var environment: [String] = []
    public var environmentFiles: [String] = []
    public var workingDirectory: String?
    public var user: String?
    /// Replaces the image's ENTRYPOINT. `[""]` (what Docker's CLI sends for `--entrypoint ""`) also
    /// drops the image's CMD; `[]` (an API client's empty list) drops only the ENTRYPOINT, as
    /// Docker's daemon merges them.
    public var entrypoint: [String]?
    public var hostname: String?
    public var volumes: [String] = []
    public var tmpfs: [String] = []
    /// --pid, --ipc, --uts: "host" shares the host's namespace ("" or private: the container's own).
    /// --health-cmd and the rest, --no-healthcheck.
    public var healthCmd: String?
    /// The test as the Engine API gives it (`["CMD", ...]`, `["CMD-SHELL", "..."]`, `["NONE"]`),
    /// of which --health-cmd is the CMD-SHELL form; over it when both are given.
    public var healthTest: [String]?
    public var healthInterval: String?
    public var healthTimeout: String?
    public var healthStartPeriod: String?
    public var healthStartInterval: String?
    public var healthRetries: Int?
    public var noHealthcheck = false
    /// --log-driver, --log-opt.
    public var logDriver: String?
    public var logOptions: [String] = []
    /// --restart no|on-failure[:N]|always|unless-stopped.
    public var restartPolicy: String?
    /// --volumes-from CONTAINER[:ro|rw]: that container's volumes and binds.
    public var volumesFrom: [String] = []
    public var pidMode = ""
    public var ipcMode = ""
    public var utsMode = ""
    /// --mount type=bind|tmpfs,...
    public var mounts: [String] = []
    public var readOnly = false
    public var initProcess = false
    public var publish: [String] = []
    public var publishAll = false
    public var expose: [String] = []
    public var network = "default"
    /// --network-alias: names the container also has on a user-defined network.
    public var networkAliases: [String] = []
    /// --link NAME[:ALIAS]: the other container's address under both names in /etc/hosts.
    public var links: [String] = []
    /// --ip and --mac-address on a bridge network.
    public var ipAddress: String?
    public var macAddress: String?
    public var labels: [String] = []
    public var stopSignal: String?
    public var stopTimeout: Int?
    public var tty = false
    public var interactive = false
    /// StdinOnce (the API's; `run -i` in the CLI has its own stdin and needs none).
    public var stdinOnce = false
    public var autoRemove = false
    public var privileged = false
    public var capAdd: [String] = []
    public var capDrop: [String] = []
    public var securityOpt: [String] = []
    /// --device HOST[:CONTAINER][:rwm], --device-cgroup-rule, --group-add.
    public var devices: [String] = []
    public var deviceCgroupRules: [String] = []
    public var groupAdd: [String] = []
    public var addHost: [String] = []
    /// --dns, --dns-search, --dns-option: the container's resolv.conf instead of the host's.
    public var dns: [String] = []
    public var dnsSearch: [String] = []
    public var dnsOptions: [String] = []
    /// --userns (host, auto), --uidmap and --gidmap ("0:HOST:SIZE").
    public var userNamespace: String?
    public var uidMap: String?
    public var gidMap: String?
    /// -m, --cpus, --pids-limit and the rest, as numbers.
    public var limits = ResourceLimits()
    /// --ulimit TYPE=SOFT[:HARD], --sysctl KEY=VALUE, --shm-size, --oom-score-adj, as given
    /// (`ProcessSettings` reads them).
    public var ulimits: [String] = []
    public var sysctls: [String] = []
    public var shmSize: String?
    public var oomScoreAdjustment: String?
    /// podman's --cgroups: "enabled" (nil, the default) or "disabled".
    public var cgroups: String?

    public init(image: String) {
        self.image = image
    }
}
