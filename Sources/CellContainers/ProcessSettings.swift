import CellCore
import CellFormat
import CellRuntime

/// `--ulimit`, `--sysctl`, `--shm-size` and `--oom-score-adj` as Docker reads them, with its
/// messages: the CLI's for what does not parse (`invalid argument "…" for "--ulimit" flag: …`),
/// the daemon's and runc's for what parses but cannot be. Checked before anything is created.
public enum ProcessSettings {
    /// --ulimit TYPE=SOFT[:HARD], as go-units' ParseUlimit: HARD defaults to SOFT, -1 (also
    /// "infinity" and "unlimited") is unlimited, a soft limit above the hard one is refused.
    /// A name given twice keeps the last; the list is sorted by name, as Docker keeps it.
    public static func ulimits(_ texts: [String]) throws -> [Ulimit] {
        var byName: [String: Ulimit] = [:]
        for text in texts {
            do {
                let ulimit = try ulimit(text)
                byName[ulimit.name] = ulimit
            } catch let error as CellError {
                throw flagError(text, flag: "--ulimit", error)
            }
        }
        return byName.values.sorted { $0.name < $1.name }
    }

    static func ulimit(_ text: String) throws -> Ulimit {
        guard let equals = text.firstIndex(of: "=") else { throw CellError(.usage, "invalid ulimit argument: \(text)") }
        let name = String(text[..<equals])
        let values = text[text.index(after: equals)...]
        guard Ulimit.resources[name] != nil else { throw CellError(.usage, "invalid ulimit type: \(name)") }
        let parts = values.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            throw CellError(.usage, "too many limit value arguments - \(values), can only have up to two, `soft[:hard]`")
        }
        func value(_ text: Substring) throws -> Int64 {
            text == "infinity" || text == "unlimited" ? -1 : try goParseInt(String(text))
        }
        // The hard value is read first, as go-units does: its error is the one reported.
        let hard = parts.count == 2 ? try value(parts[1]) : nil
        let soft = try value(parts[0])
        let ulimit = Ulimit(name: name, soft: soft, hard: hard ?? soft)
        if ulimit.hard != -1 {
            if ulimit.soft == -1 {
                throw CellError(.usage, "ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: \(ulimit.hard)")
            }
            if ulimit.soft > ulimit.hard {
                throw CellError(.usage, "ulimit soft limit must be less than or equal to hard limit: \(ulimit.soft) > \(ulimit.hard)")
            }
        }
        return ulimit
    }

    /// Docker's namespaced sysctls (the CLI's opts.ValidateSysctl): the IPC ones by name,
    /// fs.mqueue.* and net.*.
    static let allowedSysctls: Set<String> = [
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
        "kernel.shm_rmid_forced",
    ]
    static let allowedSysctlPrefixes = ["net.", "fs.mqueue."]

    /// --sysctl KEY=VALUE: a key Docker allows; net.* only with a network namespace of the
    /// container's own (runc's check, made here before anything is created). A key given twice
    /// keeps the last value.
    public static func sysctls(_ texts: [String], network: ContainerSpec.NetworkMode,
                               hostNamespaces: Set<ContainerSpec.HostNamespace> = []) throws -> [String: String] {
        var result: [String: String] = [:]
        for text in texts {
            let notAllowed = flagError(text, flag: "--sysctl", CellError(.usage, "sysctl '\(text)' is not allowed"))
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { throw notAllowed }
            let key = String(text[..<equals])
            guard allowedSysctls.contains(key) || allowedSysctlPrefixes.contains(where: { key.hasPrefix($0) }) else { throw notAllowed }
            guard ContainerSpec.sysctlPath(key) != nil else { throw notAllowed }
            result[key] = String(text[text.index(after: equals)...])
        }
        try ContainerSpec.checkSysctls(result.keys, network: network, hostNamespaces: hostNamespaces)
        return result
    }

    /// --shm-size: go-units' RAMInBytes (b, k, m, g with powers of 1024); 0 or none is
    /// Docker's default, 64 MiB.
    public static func shmSize(_ text: String?) throws -> Int64 {
        guard let text else { return ContainerSpec.defaultShmSize }
        let bytes: Int64
        do {
            bytes = try HumanUnits.ramInBytes(text)
        } catch let error as CellError {
            throw flagError(text, flag: "--shm-size", error)
        }
        if bytes < 0 { throw CellError(.setup, "SHM size can not be less than 0") }
        return bytes == 0 ? ContainerSpec.defaultShmSize : bytes
    }

    /// --oom-score-adj: an integer (the CLI's ParseInt), in the kernel's range (the daemon's check).
    public static func oomScoreAdjustment(_ text: String?) throws -> Int32? {
        guard let text else { return nil }
        let value: Int64
        do {
            value = try goParseInt(text)
        } catch let error as CellError {
            throw flagError(text, flag: "--oom-score-adj", error)
        }
        guard (-1000...1000).contains(value) else {
            throw CellError(.setup, "Invalid value \(value), range for oom score adj is [-1000, 1000]")
        }
        return Int32(value)
    }

    /// pflag's wrapping of a flag value's error.
    static func flagError(_ text: String, flag: String, _ error: CellError) -> CellError {
        CellError(.usage, "invalid argument \(GoQuote.quote(text)) for \(GoQuote.quote(flag)) flag: \(error.message)")
    }

    /// Go's strconv.ParseInt(text, 10, 64), with its messages.
    static func goParseInt(_ text: String) throws -> Int64 {
        let digits = text.first == "+" || text.first == "-" ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw CellError(.usage, "strconv.ParseInt: parsing \(GoQuote.quote(text)): invalid syntax")
        }
        guard let value = Int64(text.first == "+" ? String(digits) : text) else {
            throw CellError(.usage, "strconv.ParseInt: parsing \(GoQuote.quote(text)): value out of range")
        }
        return value
    }
}
