#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellFormat

/// `--security-opt seccomp=PROFILE.json`: a profile in Docker's format, read as runc and moby
/// read it: defaultAction, defaultErrnoRet, architectures and archMap, syscalls with names,
/// action, args, errnoRet (EPERM when absent), includes/excludes by caps, arches and minKernel.
/// What does not apply to this host (another architecture, an older kernel) is dropped here.
public enum SeccompProfileFile {
    public static func read(_ path: String) throws -> SeccompProfile {
        guard let bytes = try? FileSystem.readFile(path) else {
            throw CellError(.setup, "opening seccomp profile (\(path)) failed: open \(path): no such file or directory")
        }
        do {
            return try parse(try JSONValue(parsing: bytes), host: .current)
        } catch let error as CellError {
            throw CellError(.setup, "Decoding seccomp profile failed: \(error.message)")
        }
    }

    /// What the includes/excludes of a rule are checked against.
    struct Host {
        /// Go's name of the architecture ("amd64"), as profiles' includes.arches use it.
        var goArchitecture: String
        /// libseccomp's name of the native ABI ("x86_64").
        var seccompArchitecture: String
        var kernel: [Int]

        static var current: Host {
            #if arch(x86_64)
            let names = ("amd64", "x86_64")
            #elseif arch(arm64)
            let names = ("arm64", "aarch64")
            #else
            let names = ("unknown", "unknown")
            #endif
            var name = utsname()
            uname(&name)
            let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return Host(goArchitecture: names.0, seccompArchitecture: names.1, kernel: version(release) ?? [])
        }
    }

    /// "5.10.0-21-amd64" → [5, 10, 0].
    static func version(_ text: String) -> [Int]? {
        let numbers = text.split(whereSeparator: { !$0.isNumber && $0 != "." }).first?.split(separator: ".").compactMap { Int($0) }
        return numbers.flatMap { $0.isEmpty ? nil : $0 }
    }

    static func parse(_ document: JSONValue, host: Host) throws -> SeccompProfile {
        guard document.objectValue != nil else { throw CellError.invalidInput("the profile is not a JSON object") }
        let defaultErrno = document["defaultErrnoRet"]?.integerValue.map { UInt32(truncatingIfNeeded: $0) } ?? 1
        guard let defaultText = document["defaultAction"]?.stringValue else {
            throw CellError.invalidInput("defaultAction is required")
        }
        let defaultAction = try action(defaultText, errno: defaultErrno)
        var rules: [SeccompProfile.Rule] = []
        for (index, entry) in (document["syscalls"]?.arrayValue ?? []).enumerated() {
            var names = (entry["names"]?.arrayValue ?? []).compactMap(\.stringValue)
            if let name = entry["name"]?.stringValue { names.append(name) }
            guard !names.isEmpty else { throw CellError.invalidInput("syscalls[\(index)]: names is required") }
            guard let actionText = entry["action"]?.stringValue else { throw CellError.invalidInput("syscalls[\(index)]: action is required") }
            // runc: an ERRNO rule without errnoRet answers EPERM (defaultErrnoRet is the default action's).
            let errno = entry["errnoRet"]?.integerValue.map { UInt32(truncatingIfNeeded: $0) } ?? 1
            let ruleAction = try action(actionText, errno: errno)
            var arguments: [SeccompProfile.Argument] = []
            for argument in entry["args"]?.arrayValue ?? [] {
                guard let position = argument["index"]?.integerValue, (0...5).contains(position),
                      let opText = argument["op"]?.stringValue, let op = SeccompProfile.Argument.Operator(rawValue: opText) else {
                    throw CellError.invalidInput("syscalls[\(index)]: bad argument \(argument.serialized(indent: nil))")
                }
                arguments.append(.init(index: UInt32(position), value: UInt64(bitPattern: argument["value"]?.integerValue ?? 0),
                                       valueTwo: UInt64(bitPattern: argument["valueTwo"]?.integerValue ?? 0), op: op))
            }
            guard try applies(entry, to: host, index: index) else { continue }
            let includes = (entry["includes"]?["caps"]?.arrayValue ?? []).compactMap(\.stringValue)
            let excludes = (entry["excludes"]?["caps"]?.arrayValue ?? []).compactMap(\.stringValue)
            // libseccomp takes one comparison per argument in a rule; runc makes conditions on
            // the same argument alternatives, one rule each.
            let positions = arguments.map(\.index)
            let alternatives = Set(positions).count < positions.count ? arguments.map { [$0] } : [arguments]
            for conditions in alternatives {
                rules.append(SeccompProfile.Rule(names, action: ruleAction, arguments: conditions,
                                                 includesCapabilities: includes, excludesCapabilities: excludes))
            }
        }
        return SeccompProfile(defaultAction: defaultAction, rules: rules, architectures: try architectures(document, host: host))
    }

    /// The ABIs besides the native one: `architectures`, and archMap's sub-architectures of the
    /// native one (Docker's own profiles list them there).
    static func architectures(_ document: JSONValue, host: Host) throws -> [String] {
        func seccompName(_ text: String) throws -> String {
            let name = text.hasPrefix("SCMP_ARCH_") ? String(text.dropFirst(10)).lowercased() : text.lowercased()
            guard SeccompFilter.isKnownArchitecture(name) else { throw CellError.invalidInput("unknown architecture \(text)") }
            return name
        }
        var names = try (document["architectures"]?.arrayValue ?? []).compactMap(\.stringValue).map(seccompName)
        for entry in document["archMap"]?.arrayValue ?? [] {
            guard let main = entry["architecture"]?.stringValue else { continue }
            let subArchitectures = try (entry["subArchitectures"]?.arrayValue ?? []).compactMap(\.stringValue).map(seccompName)
            if try seccompName(main) == host.seccompArchitecture { names += subArchitectures }
        }
        var seen = Set<String>()
        return names.filter { $0 != host.seccompArchitecture && seen.insert($0).inserted }
    }

    /// includes/excludes by architecture and kernel version (caps are the container's, checked
    /// when the filter is compiled).
    static func applies(_ entry: JSONValue, to host: Host, index: Int) throws -> Bool {
        let included = (entry["includes"]?["arches"]?.arrayValue ?? []).compactMap(\.stringValue)
        let excluded = (entry["excludes"]?["arches"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !included.isEmpty && !included.contains(host.goArchitecture) { return false }
        if excluded.contains(host.goArchitecture) { return false }
        func kernel(_ key: String) throws -> [Int]? {
            guard let text = entry[key]?["minKernel"]?.stringValue else { return nil }
            guard let version = version(text), text.first?.isNumber == true else {
                throw CellError.invalidInput("syscalls[\(index)]: bad minKernel \(text)")
            }
            return version
        }
        if let minimum = try kernel("includes"), host.kernel.lexicographicallyPrecedes(minimum) { return false }
        if let minimum = try kernel("excludes"), !host.kernel.lexicographicallyPrecedes(minimum) { return false }
        return true
    }

    static func action(_ text: String, errno: UInt32) throws -> SeccompProfile.Action {
        switch text {
        case "SCMP_ACT_ALLOW": return .allow
        case "SCMP_ACT_ERRNO": return .errno(errno)
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return .killThread
        case "SCMP_ACT_KILL_PROCESS": return .killProcess
        case "SCMP_ACT_TRAP": return .trap
        case "SCMP_ACT_LOG": return .log
        default: throw CellError.invalidInput("unsupported action \(text)")
        }
    }
}
