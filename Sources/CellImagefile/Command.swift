/// The typed meaning of an instruction, what the builder executes. Values are as written:
/// variable expansion happens at build time, with the environment of the step.
public enum Command: Sendable, Equatable {
    case from(FromCommand)
    case run(RunCommand)
    case copy(CopyCommand)
    case add(AddCommand)
    case env([KeyValuePair])
    case arg([ArgDefinition])
    case workdir(String)
    case user(String)
    case expose([String])
    case label([KeyValuePair])
    case volume([String])
    case cmd(CommandForm)
    case entrypoint(CommandForm)
    case shell([String])
    case stopSignal(String)
    case healthcheck(HealthcheckCommand)
    /// The trigger instruction's text, run when the image is used as a base.
    case onbuild(String)
    case maintainer(String)
}

/// A command in shell form (run through the SHELL, `/bin/sh -c` by default) or exec form (JSON array).
public enum CommandForm: Sendable, Equatable {
    case shell(String)
    case exec([String])
}

/// An ENV or LABEL entry; `usesEquals` is false for the legacy `ENV key value` form.
public struct KeyValuePair: Sendable, Equatable {
    public var key: String
    public var value: String
    public var usesEquals: Bool

    public init(key: String, value: String, usesEquals: Bool = true) {
        self.key = key
        self.value = value
        self.usesEquals = usesEquals
    }
}

/// `ARG name` or `ARG name=default`.
public struct ArgDefinition: Sendable, Equatable {
    public var name: String
    public var defaultValue: String?

    public init(name: String, defaultValue: String? = nil) {
        self.name = name
        self.defaultValue = defaultValue
    }
}

/// `FROM [--platform=p] image [AS name]`.
public struct FromCommand: Sendable, Equatable {
    public var image: String
    /// Lower-cased, as Docker compares stage names case-insensitively.
    public var stageName: String?
    public var platform: String?

    public init(image: String, stageName: String? = nil, platform: String? = nil) {
        self.image = image
        self.stageName = stageName
        self.platform = platform
    }
}

public struct RunCommand: Sendable, Equatable {
    public var command: CommandForm
    public var heredocs: [Heredoc]
    /// `--mount=` values as written (`type=cache,target=/root/.cache`).
    public var mounts: [String]
    public var network: String?
    public var security: String?
    public var devices: [String]

    public init(
        command: CommandForm, heredocs: [Heredoc] = [], mounts: [String] = [], network: String? = nil,
        security: String? = nil, devices: [String] = []
    ) {
        self.command = command
        self.heredocs = heredocs
        self.mounts = mounts
        self.network = network
        self.security = security
        self.devices = devices
    }

    /// The parsed `--mount` options (`type`, `from`, `source`, `target`...), one dictionary per mount.
    public var mountOptions: [[String: String]] {
        mounts.map { spec in
            var options: [String: String] = [:]
            for field in spec.split(separator: ",") {
                let parts = field.split(separator: "=", maxSplits: 1)
                options[String(parts[0]).lowercased()] = parts.count > 1 ? String(parts[1]) : "true"
            }
            return options
        }
    }
}

public struct CopyCommand: Sendable, Equatable {
    public var sources: [String]
    public var destination: String
    /// Sources given as heredocs (`COPY <<EOF /etc/file`): their name is the file name.
    public var inlineSources: [Heredoc]
    public var from: String?
    public var chown: String?
    public var chmod: String?
    public var link: Bool
    public var parents: Bool
    public var excludes: [String]

    public init(
        sources: [String], destination: String, inlineSources: [Heredoc] = [], from: String? = nil,
        chown: String? = nil, chmod: String? = nil, link: Bool = false, parents: Bool = false, excludes: [String] = []
    ) {
        self.sources = sources
        self.destination = destination
        self.inlineSources = inlineSources
        self.from = from
        self.chown = chown
        self.chmod = chmod
        self.link = link
        self.parents = parents
        self.excludes = excludes
    }
}

public struct AddCommand: Sendable, Equatable {
    public var sources: [String]
    public var destination: String
    public var inlineSources: [Heredoc]
    public var chown: String?
    public var chmod: String?
    public var link: Bool
    public var keepGitDir: Bool
    public var checksum: String?
    /// `--unpack=true|false`; nil means Docker's default (unpack local archives, not remote ones).
    public var unpack: Bool?
    public var excludes: [String]

    public init(
        sources: [String], destination: String, inlineSources: [Heredoc] = [], chown: String? = nil,
        chmod: String? = nil, link: Bool = false, keepGitDir: Bool = false, checksum: String? = nil,
        unpack: Bool? = nil, excludes: [String] = []
    ) {
        self.sources = sources
        self.destination = destination
        self.inlineSources = inlineSources
        self.chown = chown
        self.chmod = chmod
        self.link = link
        self.keepGitDir = keepGitDir
        self.checksum = checksum
        self.unpack = unpack
        self.excludes = excludes
    }
}

public struct HealthcheckCommand: Sendable, Equatable {
    public enum Test: Sendable, Equatable {
        /// `HEALTHCHECK NONE`: disable any inherited check.
        case none
        /// `CMD` (exec form) or `CMD-SHELL` (shell form).
        case command(CommandForm)
    }

    public var test: Test
    public var interval: Duration?
    public var timeout: Duration?
    public var startPeriod: Duration?
    public var startInterval: Duration?
    public var retries: Int?

    public init(
        test: Test, interval: Duration? = nil, timeout: Duration? = nil, startPeriod: Duration? = nil,
        startInterval: Duration? = nil, retries: Int? = nil
    ) {
        self.test = test
        self.interval = interval
        self.timeout = timeout
        self.startPeriod = startPeriod
        self.startInterval = startInterval
        self.retries = retries
    }

    /// The image config's `Test` array: `["NONE"]`, `["CMD", ...]` or `["CMD-SHELL", "..."]`.
    public var testArray: [String] {
        switch test {
        case .none: return ["NONE"]
        case .command(.exec(let arguments)): return ["CMD"] + arguments
        case .command(.shell(let script)): return ["CMD-SHELL", script]
        }
    }
}
