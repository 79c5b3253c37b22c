#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import CellCore
import CellImage
import CellRuntime
import CellCgroups
import CellNetwork

/// What `cell create`/`run` decided about a container, kept in `config.json` and shown by
/// `inspect` under docker's names. The runtime's own view (the `spec` file) is derived from it.
public struct ContainerRecord: Codable, Sendable {
    public var id: String
    public var name: String
    public var created: String
    /// The image as the user named it, and the id it resolved to.
    public var image: String
    public var imageID: String
    public var path: String
    public var args: [String]
    public var config: Config
    public var hostConfig: HostConfig
    /// The volumes it mounts (`inspect`'s Mounts, `volume rm`'s check); absent in older records.
    public var mountPoints: [MountPoint]?
    /// The bridge networks it is on, by network name (inspect's NetworkSettings.Networks);
    /// absent for the namespace-only modes and in older records.
    public var networks: [String: NetworkEndpoint]?

    public struct MountPoint: Codable, Sendable, Equatable {
        public var name: String
        public var destination: String
        public var readOnly: Bool
        /// Made for it (an image VOLUME, `-v /path`): removed with it by `rm -v` and `--rm`.
        public var anonymous: Bool
    }

    public struct Config: Codable, Sendable {
        public var hostname: String
        public var user: String
        public var env: [String]
        public var cmd: [String]?
        public var entrypoint: [String]?
        public var workingDir: String
        public var labels: [String: String]
        public var exposedPorts: [String]
        public var stopSignal: String?
        public var stopTimeout: Int?
        public var tty: Bool
        public var openStdin: Bool
        public var volumes: [String]
        /// Docker's StdinOnce (`docker run -i` sets it): the end of the attached client's input
        /// closes the container's stdin. Absent in records written before it, and for false.
        public var stdinOnce: Bool? = nil
        /// The image's HEALTHCHECK with the --health-* flags over it; absent for none.
        public var healthcheck: Healthcheck? = nil
    }

    public struct HostConfig: Codable, Sendable {
        public var binds: [String]
        public var portBindings: [PortBinding]
        public var publishAllPorts: Bool
        public var networkMode: String
        public var autoRemove: Bool
        public var readonlyRootfs: Bool
        public var tmpfs: [String: String]
        public var initProcess: Bool
        public var privileged: Bool
        public var capAdd: [String]
        public var capDrop: [String]
        public var securityOpt: [String]
        public var extraHosts: [String]
        /// Resource limits (absent in records written before them, and when none is set).
        public var resources: ResourceLimits?
        // Absent in records written before them.
        public var groupAdd: [String]?
        public var devices: [DeviceOptions.Mapping]?
        public var deviceCgroupRules: [String]?
        /// --userns ("auto", "host") or "" for none.
        public var usernsMode: String?
        /// Docker's defaults, or none (--privileged, systempaths=unconfined).
        public var maskedPaths: [String]?
        public var readonlyPaths: [String]?
        /// --ulimit, --sysctl, --shm-size (bytes, the default included), --oom-score-adj;
        /// absent in records written before them.
        public var ulimits: [Ulimit]?
        public var sysctls: [String: String]?
        public var shmSize: Int64?
        public var oomScoreAdj: Int32?

        /// --cgroups=disabled: "disabled"; absent when the container has cgroups (the default).
        public var cgroups: String?
        /// --dns, --dns-search, --dns-option; absent when none was given.
        public var dns: [String]? = nil
        public var dnsSearch: [String]? = nil
        public var dnsOptions: [String]? = nil
        /// --log-driver and --log-opt; absent for Docker's default (json-file, no options).
        public var logConfig: LogConfigRecord? = nil
        /// --restart; absent for "no".
        public var restartPolicy: RestartPolicyRecord? = nil
        /// --pid, --ipc, --uts as given; absent when not.
        public var pidMode: String? = nil
        public var ipcMode: String? = nil
        public var utsMode: String? = nil

        /// What the container's resolv.conf takes from these flags.
        public var resolver: EtcFiles.Resolver {
            EtcFiles.Resolver(servers: dns ?? [], search: dnsSearch ?? [], options: dnsOptions ?? [])
        }

        /// Created with --cgroups=disabled: no cgroup to limit, sample or join.
        public var cgroupsDisabled: Bool { cgroups == ContainerSpec.CgroupsMode.disabled.rawValue }

        /// The size of /dev/shm: --shm-size, or Docker's default (records from before --shm-size).
        public var effectiveShmSize: Int64 { shmSize ?? ContainerSpec.defaultShmSize }
    }

    /// Docker's HostConfig.LogConfig.
    public struct LogConfigRecord: Codable, Sendable, Equatable {
        public var type: String
        public var config: [String: String]
    }

    /// Docker's HostConfig.RestartPolicy.
    public struct RestartPolicyRecord: Codable, Sendable, Equatable {
        public var name: String
        public var maximumRetryCount: Int

        public init(_ policy: RestartPolicy) {
            name = policy.name.rawValue
            maximumRetryCount = policy.maximumRetryCount
        }
    }

    /// The image's layers, bottom first, as the runtime needs them.
    public var layerDirectories: [String]
}

