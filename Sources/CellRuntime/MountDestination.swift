import CRuntime
import CellCore

/// Where a volume or tmpfs may land in a container, as Docker and runc decide it. Docker cleans
/// the path (`//proc/`, `/x/../proc` are `/proc`; `..` stops at `/`) and refuses `/`; runc
/// refuses /proc and anything in it, but for a procfs source at /proc itself and the few files
/// lxcfs emulates. Mounts under /dev and /sys are allowed there and here.
public enum MountDestination {
    /// What kind of mount lands there: Docker names it in its refusal.
    public enum Kind: String, Sendable {
        case bind, tmpfs
    }

    /// runc's `validProcMounts`: files inside /proc a bind may cover (lxcfs serves them).
    public static let allowedProcFiles: Set<String> = [
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime",
        "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
    ]

    /// Go's `path.Clean` for an absolute path: no empty, "." or ".." components ("/.." is "/").
    public static func cleaned(_ path: String) -> String {
        var components: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..": _ = components.popLast()
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    /// The cleaned destination; a refused one throws a setup error (exit 125, one line) with the reason in Docker's or
    /// runc's words, which the caller prefixes with the option that named it. `sourceIsProc`: the
    /// bind's source is a procfs (runc lets only such a bind cover /proc itself).
    public static func checked(_ destination: String, kind: Kind, sourceIsProc: Bool = false) throws -> String {
        guard destination.hasPrefix("/") else {
            throw refusal("invalid mount config for type \"\(kind.rawValue)\": mount path must be absolute")
        }
        let clean = cleaned(destination)
        if clean == "/" {
            throw refusal("invalid mount config for type \"\(kind.rawValue)\": invalid specification: destination can't be '/'")
        }
        // cell's /dev is a tmpfs of its own with the nodes in it; an empty one in its place
        // would leave the container without /dev/null.
        if clean == "/dev" && kind == .tmpfs {
            throw refusal("\"/dev\" is a tmpfs of the container's own already: mount one below it")
        }
        if clean == "/proc" && !(kind == .bind && sourceIsProc) {
            throw refusal("\"\(clean)\" cannot be mounted because it is not of type proc")
        }
        if clean.hasPrefix("/proc/") && !(kind == .bind && allowedProcFiles.contains(clean)) {
            throw refusal("\"\(clean)\" cannot be mounted because it is inside /proc")
        }
        return clean
    }

    /// Whether `path` is on a procfs (PROC_SUPER_MAGIC), as runc asks of a bind's source for /proc.
    public static func isProc(_ path: String) -> Bool {
        cell_filesystem_magic(path) == 0x9fa0
    }

    /// Whether a mount at `destination` (cleaned) hides `path`: it is that path or a parent of it.
    public static func hides(_ path: String, destination: String) -> Bool {
        path == destination || path.hasPrefix(destination + "/")
    }

    private static func refusal(_ message: String) -> CellError { CellError(.setup, message) }
}
