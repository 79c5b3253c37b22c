import CellCore
import CellRuntime

/// `-v HOST:CONTAINER[:ro|rw|ro-non-recursive|...]` and `--tmpfs PATH[:OPTIONS]`.
public enum MountOptions {
    /// Every destination is cleaned and checked (`MountDestination`) before anything is made;
    /// then missing host directories are created, as Docker creates them for a bind.
    public static func parse(volumes: [String], tmpfs: [String]) throws -> [ContainerSpec.Mount] {
        var mounts: [ContainerSpec.Mount] = []
        for volume in volumes {
            let parts = volume.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CellError.usage("invalid volume specification: '\(volume)'")
            }
            guard parts[0].hasPrefix("/") else {
                throw CellError.usage("invalid volume specification: '\(volume)': named volumes are not supported, use an absolute host path")
            }
            guard parts[1].hasPrefix("/") else {
                throw CellError.usage("invalid volume specification: '\(volume)': mount path must be absolute")
            }
            var access: ContainerSpec.BindAccess?
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
                    case "z", "Z", "rprivate", "private", "rslave", "slave", "rshared", "shared", "nocopy", "delegated", "cached", "consistent":
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
            mounts.append(.bind(source: parts[0], destination: destination, access: access ?? .readWrite))
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
        return mounts
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
