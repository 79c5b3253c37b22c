import CellCore
import CellRuntime

/// `-v HOST:CONTAINER[:ro|rw|ro-non-recursive|...]`, `-v NAME:CONTAINER[:ro|nocopy]`,
/// `-v CONTAINER` (an anonymous volume) and `--tmpfs PATH[:OPTIONS]`.
public enum MountOptions {
    /// A volume `-v` asks for: named (made if missing) or anonymous (`name` nil).
    public struct VolumeRequest: Equatable, Sendable {
        public var name: String?
        public var destination: String
        public var readOnly: Bool
        /// `nocopy`: an empty volume is not filled with what the image has at the destination.
        public var copiesImageContent: Bool
    }

    /// Every destination is cleaned and checked (`MountDestination`) before anything is made;
    /// then missing host directories are created, as Docker creates them for a bind.
    public static func parse(volumes: [String], tmpfs: [String]) throws -> (mounts: [ContainerSpec.Mount], volumes: [VolumeRequest]) {
        var mounts: [ContainerSpec.Mount] = []
        var requests: [VolumeRequest] = []
        for volume in volumes {
            var parts = volume.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            // `-v /path`: an anonymous volume there.
            if parts.count == 1, parts[0].hasPrefix("/") { parts.insert("", at: 0) }
            guard parts.count == 2 || parts.count == 3, !parts[1].isEmpty, !(parts[0].isEmpty && volume.contains(":")) else {
                throw CellError.usage("invalid volume specification: '\(volume)'")
            }
            guard parts[1].hasPrefix("/") else {
                throw CellError.usage("invalid volume specification: '\(volume)': mount path must be absolute")
            }
            let isVolume = !parts[0].hasPrefix("/")
            var access: ContainerSpec.BindAccess?
            var copies = true
            if parts.count == 3 {
                let flags = parts[2].split(separator: ",")
                for flag in flags {
                    let mode: ContainerSpec.BindAccess?
                    switch flag {
                    // Docker 25's: `ro` is recursive (rro and ro-force-recursive say so outright),
                    // ro-non-recursive the old read-only top.
                    case "ro", "rro", "ro-force-recursive": mode = .readOnly
                    case "ro-non-recursive": mode = .readOnlyTopOnly
                    case "rw": mode = .readWrite
                    case "nocopy":
                        copies = false
                        mode = nil
                    case "z", "Z", "rprivate", "private", "rslave", "slave", "rshared", "shared", "delegated", "cached", "consistent":
                        mode = nil
                    default: throw CellError.usage("invalid mode: \(flag)")
                    }
                    if let mode {
                        guard access == nil else { throw CellError.usage("invalid mode: \(parts[2])") }
                        access = mode
                    }
                }
            }
            let destination: String
            do {
                destination = try MountDestination.checked(parts[1], kind: .bind, sourceIsProc: MountDestination.isProc(parts[0]))
            } catch let error as CellError {
                throw CellError(.setup, "invalid volume specification: '\(volume)': \(error.message)")
            }
            if isVolume {
                if !parts[0].isEmpty { try VolumeName.check(parts[0]) }
                requests.append(VolumeRequest(name: parts[0].isEmpty ? nil : parts[0], destination: destination,
                                              readOnly: access == .readOnly || access == .readOnlyTopOnly, copiesImageContent: copies))
            } else {
                mounts.append(.bind(source: parts[0], destination: destination, access: access ?? .readWrite))
            }
        }
        for entry in tmpfs {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard let path = parts.first, path.hasPrefix("/") else {
                throw CellError.usage("invalid tmpfs specification: '\(entry)': mount path must be absolute")
            }
            let destination: String
            do {
                destination = try MountDestination.checked(path, kind: .tmpfs)
            } catch let error as CellError {
                throw CellError(.setup, "invalid tmpfs specification: '\(entry)': \(error.message)")
            }
            let options = parts.count > 1 ? parts[1] : ""
            _ = try TmpfsOptions(options)  // refused here, before anything is created
            mounts.append(.tmpfs(destination: destination, options: options))
        }
        // docker creates a missing host directory for a bind.
        for case .bind(let source, _, _) in mounts where !FileSystem.exists(source) {
            try FileSystem.createDirectory(source)
        }
        return (mounts, requests)
    }

    public static func tmpfsTable(_ tmpfs: [String]) -> [String: String] {
        var table: [String: String] = [:]
        for entry in tmpfs {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            if let path = parts.first { table[path] = parts.count > 1 ? parts[1] : "" }
        }
        return table
    }
}
