import CellCore
import CellFormat
import CellRuntime

/// `--security-opt seccomp=PROFILE.json`: a profile in Docker's format (defaultAction,
/// defaultErrnoRet, syscalls with names, action, args, errnoRet, includes/excludes caps).
/// `architectures` and `archMap` are accepted: the host's ABIs are always covered.
enum SeccompProfileFile {
    static func read(_ path: String) throws -> SeccompProfile {
        guard let bytes = try? FileSystem.readFile(path) else {
            throw CellError(.setup, "opening seccomp profile (\(path)) failed: open \(path): no such file or directory")
        }
        do {
            return try parse(try JSONValue(parsing: bytes))
        } catch let error as CellError {
            throw CellError(.setup, "Decoding seccomp profile failed: \(error.message)")
        }
    }

    static func parse(_ document: JSONValue) throws -> SeccompProfile {
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
            let errno = entry["errnoRet"]?.integerValue.map { UInt32(truncatingIfNeeded: $0) } ?? defaultErrno
            var arguments: [SeccompProfile.Argument] = []
            for argument in entry["args"]?.arrayValue ?? [] {
                guard let position = argument["index"]?.integerValue, (0...5).contains(position),
                      let opText = argument["op"]?.stringValue, let op = SeccompProfile.Argument.Operator(rawValue: opText) else {
                    throw CellError.invalidInput("syscalls[\(index)]: bad argument \(argument.serialized(indent: nil))")
                }
                arguments.append(.init(index: UInt32(position), value: UInt64(bitPattern: argument["value"]?.integerValue ?? 0),
                                       valueTwo: UInt64(bitPattern: argument["valueTwo"]?.integerValue ?? 0), op: op))
            }
            rules.append(SeccompProfile.Rule(names, action: try action(actionText, errno: errno), arguments: arguments,
                                             includesCapabilities: (entry["includes"]?["caps"]?.arrayValue ?? []).compactMap(\.stringValue),
                                             excludesCapabilities: (entry["excludes"]?["caps"]?.arrayValue ?? []).compactMap(\.stringValue)))
        }
        return SeccompProfile(defaultAction: defaultAction, rules: rules)
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
