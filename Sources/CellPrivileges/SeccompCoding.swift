import CellCore

/// The seccomp policy in a spec's records: `seccomp default|unconfined|custom`, then for a custom
/// profile `seccomp-default ACTION` and one `seccomp-rule` per rule:
/// `ACTION names=a,b args=INDEX:OP:VALUE:VALUE2;... caps=+CAP_X,-CAP_Y`.
public enum SeccompCoding {
    public static func append(_ policy: SeccompPolicy, to writer: inout RecordWriter) throws {
        switch policy {
        case .dockerDefault: try writer.append("seccomp", "default")
        case .unconfined: try writer.append("seccomp", "unconfined")
        case .custom(let profile):
            try writer.append("seccomp", "custom")
            try writer.append("seccomp-default", text(profile.defaultAction))
            if let architectures = profile.architectures { try writer.append("seccomp-arches", architectures.joined(separator: ",")) }
            for rule in profile.rules {
                let arguments = rule.arguments.map { "\($0.index):\($0.op.rawValue):\($0.value):\($0.valueTwo)" }.joined(separator: ";")
                let capabilities = (rule.includesCapabilities.map { "+" + $0 } + rule.excludesCapabilities.map { "-" + $0 }).joined(separator: ",")
                try writer.append("seccomp-rule", [text(rule.action), rule.names.joined(separator: ","), arguments, capabilities])
            }
        }
    }

    public static func text(_ action: SeccompProfile.Action) -> String {
        switch action {
        case .allow: return "allow"
        case .errno(let code): return "errno:\(code)"
        case .killThread: return "kill"
        case .killProcess: return "kill-process"
        case .trap: return "trap"
        case .log: return "log"
        }
    }

    public static func action(_ text: String) -> SeccompProfile.Action? {
        switch text {
        case "allow": return .allow
        case "kill": return .killThread
        case "kill-process": return .killProcess
        case "trap": return .trap
        case "log": return .log
        default:
            guard text.hasPrefix("errno:"), let code = UInt32(text.dropFirst(6)) else { return nil }
            return .errno(code)
        }
    }

    public struct Reader {
        public init() {}

        private var kind = "default"
        private var defaultAction: SeccompProfile.Action = .errno(1)
        private var rules: [SeccompProfile.Rule] = []
        private var architectures: [String]?

        public mutating func read(_ record: Record) throws {
            let bad = CellError.invalidInput("container spec: bad \(record.key) \"\(record.fields.joined(separator: " "))\"")
            switch record.key {
            case "seccomp": kind = record.value
            case "seccomp-default":
                guard let action = SeccompCoding.action(record.value) else { throw bad }
                defaultAction = action
            case "seccomp-arches":
                architectures = record.value.split(separator: ",").map(String.init)
            default:
                guard record.fields.count == 4, let action = SeccompCoding.action(record.fields[0]) else { throw bad }
                var arguments: [SeccompProfile.Argument] = []
                for text in record.fields[2].split(separator: ";") {
                    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
                    guard parts.count == 4, let index = UInt32(parts[0]), let op = SeccompProfile.Argument.Operator(rawValue: String(parts[1])),
                          let value = UInt64(parts[2]), let valueTwo = UInt64(parts[3]) else { throw bad }
                    arguments.append(.init(index: index, value: value, valueTwo: valueTwo, op: op))
                }
                let capabilities = record.fields[3].split(separator: ",").map(String.init)
                rules.append(SeccompProfile.Rule(record.fields[1].split(separator: ",").map(String.init), action: action,
                                                 arguments: arguments,
                                                 includesCapabilities: capabilities.filter { $0.hasPrefix("+") }.map { String($0.dropFirst()) },
                                                 excludesCapabilities: capabilities.filter { $0.hasPrefix("-") }.map { String($0.dropFirst()) }))
            }
        }

        public func policy() throws -> SeccompPolicy {
            switch kind {
            case "default": return .dockerDefault
            case "unconfined": return .unconfined
            case "custom": return .custom(SeccompProfile(defaultAction: defaultAction, rules: rules, architectures: architectures))
            default: throw CellError.invalidInput("container spec: bad seccomp \"\(kind)\"")
            }
        }
    }
}
