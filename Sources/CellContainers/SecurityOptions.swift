import CellCore
import CellRuntime

/// `--privileged`, `--cap-add`, `--cap-drop` and `--security-opt` as the container's process
/// gets them. Checked before anything is created: a bad one is one line and exit 125.
struct SecurityOptions {
    var capabilities: Capabilities
    var noNewPrivileges = false
    var seccomp: SeccompPolicy = .dockerDefault

    init(_ options: RunOptions) throws {
        capabilities = try Capabilities.resolve(add: options.capAdd, drop: options.capDrop, privileged: options.privileged)
        for option in options.securityOpt {
            // docker takes key=value and the older key:value.
            let separator = option.firstIndex { $0 == "=" || $0 == ":" }
            let key = separator.map { String(option[..<$0]) } ?? option
            let value = separator.map { String(option[option.index(after: $0)...]) } ?? ""
            switch key {
            case "no-new-privileges":
                guard ["", "true", "false"].contains(value) else {
                    throw CellError(.setup, "invalid --security-opt 2: \"\(option)\"")
                }
                noNewPrivileges = value != "false"
            case "seccomp" where value == "unconfined":
                seccomp = .unconfined
            case "apparmor" where value == "unconfined", "label" where value == "disable":
                continue  // neither exists here: unconfined is what there is
            case "seccomp":
                seccomp = .custom(try SeccompProfileFile.read(value))
            default:
                throw CellError(.setup, "invalid --security-opt 1: \"\(option)\"")
            }
        }
    }
}
