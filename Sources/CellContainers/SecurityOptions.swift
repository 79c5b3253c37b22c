import CellCore
import CellPrivileges

/// `--privileged`, `--cap-add`, `--cap-drop` and `--security-opt` as the container's process
/// gets them. Checked before anything is created: a bad one is one line and exit 125.
struct SecurityOptions {
    var capabilities: Capabilities
    var noNewPrivileges = false
    var seccomp: SeccompPolicy = .dockerDefault
    /// systempaths=unconfined: no masked or read-only /proc and /sys paths.
    var systemPathsUnconfined = false

    init(_ options: RunOptions) throws {
        capabilities = try Capabilities.resolve(add: options.capAdd, drop: options.capDrop, privileged: options.privileged)
        for option in options.securityOpt {
            // docker takes key=value and the older key:value.
            let separator = option.firstIndex { $0 == "=" || $0 == ":" }
            let key = separator.map { String(option[..<$0]) } ?? option
            let value = separator.map { String(option[option.index(after: $0)...]) } ?? ""
            switch key {
            case "no-new-privileges":
                // Go's strconv.ParseBool, as Docker reads it; the bare word means true.
                guard let enabled = value.isEmpty ? true : GoBool.parse(value) else {
                    throw CellError(.setup, "invalid --security-opt 2: \"\(option)\"")
                }
                noNewPrivileges = enabled
            case "seccomp" where value == "unconfined":
                seccomp = .unconfined
            case "seccomp" where value == "builtin":
                seccomp = .dockerDefault
            case "systempaths" where value == "unconfined":
                systemPathsUnconfined = true
            case "apparmor", "label":
                continue  // neither AppArmor nor SELinux confines containers here, as with Docker on such a host
            case "seccomp":
                seccomp = .custom(try SeccompProfileFile.read(value))
            default:
                throw CellError(.setup, "invalid --security-opt 1: \"\(option)\"")
            }
        }
    }
}
