import CellCore

/// Docker's `--mount type=bind|volume|tmpfs,source=...,target=...,...`, read into the `-v` and
/// `--tmpfs` forms that the rest of creation takes (so both show alike in `inspect`). Unlike `-v`,
/// a bind's source must exist: Docker creates nothing for `--mount`.
public enum MountFlag {
    public enum Form: Equatable {
        case volume(String)
        case tmpfs(String)
    }

    public static func parse(_ text: String) throws -> Form {
        var fields: [String: String] = [:]
        var readOnly = false
        for field in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = field.split(separator: "=", maxSplits: 1).map(String.init)
            let key = parts.first?.lowercased() ?? ""
            let value = parts.count > 1 ? parts[1] : nil
            switch key {
            case "readonly", "ro":
                switch value?.lowercased() {
                case nil, "1", "true": readOnly = true
                case "0", "false": readOnly = false
                default: throw invalid(text, "invalid value for \(key): \(value ?? "")")
                }
            case "volume-nocopy":
                switch value?.lowercased() {
                case nil, "1", "true": fields["volume-nocopy"] = "true"
                case "0", "false": fields["volume-nocopy"] = nil
                default: throw invalid(text, "invalid value for \(key): \(value ?? "")")
                }
            case "type", "source", "src", "target", "destination", "dst", "bind-propagation", "bind-recursive",
                 "bind-nonrecursive", "consistency", "tmpfs-size", "tmpfs-mode", "volume-driver":
                guard let value else { throw invalid(text, "invalid field '\(field)' must be a key=value pair") }
                fields[key] = value
            default:
                throw invalid(text, "unexpected key '\(key)' in '\(field)'")
            }
        }
        let target = fields["target"] ?? fields["destination"] ?? fields["dst"]
        let source = fields["source"] ?? fields["src"]
        switch fields["type"] ?? "volume" {
        case "bind":
            guard let source, !source.isEmpty else { throw missing("bind", "Source") }
            guard let target, !target.isEmpty else { throw missing("bind", "Target") }
            guard FileSystem.exists(source) else {
                throw CellError(.setup, "invalid mount config for type \"bind\": bind source path does not exist: \(source)")
            }
            let mode: String
            switch (readOnly, fields["bind-recursive"] ?? (fields["bind-nonrecursive"] == "true" ? "disabled" : "enabled")) {
            case (false, "enabled"), (false, "writable"), (false, "readonly"): mode = "rw"
            case (true, "enabled"), (true, "readonly"): mode = "ro"
            case (true, "writable"): mode = "ro-non-recursive"
            case (_, "disabled"): throw invalid(text, "bind-recursive=disabled is not supported")
            case (_, let other): throw invalid(text, "invalid value for bind-recursive: \(other)")
            }
            if let propagation = fields["bind-propagation"] { return .volume("\(source):\(target):\(mode),\(propagation)") }
            return .volume("\(source):\(target):\(mode)")
        case "tmpfs":
            guard source == nil else { throw CellError(.setup, "invalid mount config for type \"tmpfs\": source must not be specified") }
            guard let target, !target.isEmpty else { throw missing("tmpfs", "Target") }
            var options: [String] = readOnly ? ["ro"] : []
            if let size = fields["tmpfs-size"] { options.append("size=\(size)") }
            if let mode = fields["tmpfs-mode"] { options.append("mode=\(mode)") }
            return .tmpfs(options.isEmpty ? target : "\(target):\(options.joined(separator: ","))")
        case "volume":
            guard let target, !target.isEmpty else { throw missing("volume", "Target") }
            if let driver = fields["volume-driver"], driver != "local" {
                throw CellError(.setup, "error looking up volume plugin \(driver): plugin \"\(driver)\" not found")
            }
            // The -v form: NAME:TARGET:MODE, or TARGET alone for an anonymous volume.
            let modes = [readOnly ? "ro" : nil, fields["volume-nocopy"] != nil ? "nocopy" : nil].compactMap { $0 }
            guard let source, !source.isEmpty else {
                return .volume(modes.isEmpty ? target : "\(target):\(modes.joined(separator: ","))")
            }
            return .volume("\(source):\(target)" + (modes.isEmpty ? "" : ":\(modes.joined(separator: ","))"))
        case let other:
            throw invalid(text, "invalid mount type: \(other)")
        }
    }

    static func invalid(_ text: String, _ why: String) -> CellError {
        CellError.usage("invalid argument \"\(text)\" for \"--mount\" flag: \(why)")
    }

    static func missing(_ type: String, _ field: String) -> CellError {
        CellError(.setup, "invalid mount config for type \"\(type)\": field \(field) must not be empty")
    }
}
