/// Which seccomp profile a container's processes get.
public enum SeccompPolicy: Equatable, Sendable {
    /// Docker's default profile (the default).
    case dockerDefault
    /// --security-opt seccomp=unconfined.
    case unconfined
    /// --security-opt seccomp=PROFILE.json.
    case custom(SeccompProfile)

    public var profile: SeccompProfile? {
        switch self {
        case .dockerDefault: return .dockerDefault
        case .unconfined: return nil
        case .custom(let profile): return profile
        }
    }
}

/// A seccomp policy in the terms of Docker's profile format: a default action, and rules that
/// give system calls (by name) another action, optionally only for some argument values, and
/// only when the container has (or lacks) some capabilities. `SeccompFilter` compiles it.
public struct SeccompProfile: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        case allow
        case errno(UInt32)
        case killThread
        case killProcess
        case trap
        case log
    }

    /// An argument condition (libseccomp's comparison operators).
    public struct Argument: Equatable, Sendable {
        public enum Operator: String, Equatable, Sendable {
            case notEqual = "SCMP_CMP_NE", lessThan = "SCMP_CMP_LT", lessOrEqual = "SCMP_CMP_LE"
            case equal = "SCMP_CMP_EQ", greaterOrEqual = "SCMP_CMP_GE", greaterThan = "SCMP_CMP_GT"
            case maskedEqual = "SCMP_CMP_MASKED_EQ"
        }

        public var index: UInt32
        public var value: UInt64
        public var valueTwo: UInt64
        public var op: Operator

        public init(index: UInt32, value: UInt64, valueTwo: UInt64 = 0, op: Operator) {
            self.index = index
            self.value = value
            self.valueTwo = valueTwo
            self.op = op
        }
    }

    public struct Rule: Equatable, Sendable {
        public var names: [String]
        public var action: Action
        /// All must hold (one libseccomp rule with several comparisons).
        public var arguments: [Argument]
        /// Applies only when the container has every one of these capabilities...
        public var includesCapabilities: [String]
        /// ...and none of these.
        public var excludesCapabilities: [String]

        public init(_ names: [String], action: Action = .allow, arguments: [Argument] = [],
                    includesCapabilities: [String] = [], excludesCapabilities: [String] = []) {
            self.names = names
            self.action = action
            self.arguments = arguments
            self.includesCapabilities = includesCapabilities
            self.excludesCapabilities = excludesCapabilities
        }
    }

    public var defaultAction: Action
    public var rules: [Rule]
    /// libseccomp's names of the ABIs the filter admits besides the native one ("x86", "x32");
    /// any other ABI is killed. nil: the native one's 32-bit ABIs too (Docker's default profile).
    public var architectures: [String]?

    public init(defaultAction: Action, rules: [Rule], architectures: [String]? = nil) {
        self.defaultAction = defaultAction
        self.rules = rules
        self.architectures = architectures
    }

    /// The rules that apply to a container with `capabilities`.
    public func rules(for capabilities: Capabilities) -> [Rule] {
        let held = Set(capabilities.names)
        return rules.filter { rule in
            rule.includesCapabilities.allSatisfy { held.contains($0) } && !rule.excludesCapabilities.contains { held.contains($0) }
        }
    }
}
