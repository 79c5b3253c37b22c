import CellCore
import CellRuntime

/// Docker's local driver `--opt`s (`type`, `device`, `o`) as cell applies them: none (a
/// directory of the store), `type=tmpfs` (a tmpfs with `o`'s options), or a bind of a host
/// directory (`type=none,o=bind,device=/path`). Other file systems (nfs, a block device) are
/// refused: cell mounts nothing on the host, and a container's namespace is not where they go.
public enum VolumeOptions {
    static let keys: Set<String> = ["type", "device", "o"]

    static func check(_ options: [String: String], name: String) throws {
        if let key = options.keys.sorted().first(where: { !keys.contains($0) }) {
            throw CellError.invalidInput("create \(name): invalid option key: \"\(key)\"")
        }
        guard !options.isEmpty else { return }
        // Their values become mount(2)'s C strings when a container starts: refused here, where
        // they enter, rather than at every start of every container that uses the volume.
        for key in options.keys.sorted() { try NULByte.check(options[key] ?? "", as: "volume option \(key)", kind: .invalidInput) }
        switch options["type"] {
        case "tmpfs":
            _ = try TmpfsOptions(options["o"] ?? "")
        case "none" where bindsDirectory(options) != nil:
            guard let device = options["device"], device.hasPrefix("/") else {
                throw CellError.invalidInput("create \(name): a bind volume needs an absolute device= path")
            }
        default:
            throw CellError.invalidInput("create \(name): cell's local volumes take type=tmpfs or a bind (type=none,o=bind,device=/path)")
        }
    }

    /// The host directory of a bind volume.
    static func bindsDirectory(_ options: [String: String]) -> String? {
        guard options["type"] == "none", (options["o"] ?? "").split(separator: ",").contains(where: { $0 == "bind" || $0 == "rbind" }) else {
            return nil
        }
        return options["device"]
    }
}
