#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

/// A process's capability set (bit n = capability n), by Docker's rules: its default set,
/// `--cap-add`/`--cap-drop` by name (with or without `CAP_`, any case, or `ALL`), and
/// `--privileged` for every capability the kernel has.
public struct Capabilities: Equatable, Sendable {
    public var mask: UInt64

    public init(mask: UInt64) {
        self.mask = mask
    }

    /// The kernel's capability names, by number (linux/capability.h).
    public static let names = [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE",
    ]

    /// Docker's default set (CapEff 00000000a80425fb for root).
    public static let dockerDefault = Capabilities(names: [
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
        "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
    ])

    /// Every capability cell itself has (its permitted set: what --privileged can pass on; a
    /// sandboxed host may lack some), else every one the kernel knows.
    public static var all: Capabilities {
        if let bytes = try? FileSystem.readFileIfPresent("/proc/self/status") {
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("CapPrm:") {
                if let mask = UInt64(line.dropFirst(7).trimmedWhitespace, radix: 16) { return Capabilities(mask: mask) }
            }
        }
        var last = names.count - 1
        if let bytes = try? FileSystem.readFileIfPresent("/proc/sys/kernel/cap_last_cap"),
           let value = Int(String(decoding: bytes, as: UTF8.self).trimmedWhitespace) {
            last = min(value, 63)
        }
        return Capabilities(mask: last >= 63 ? ~0 : (UInt64(1) << UInt64(last + 1)) - 1)
    }

    private init(names: [String]) {
        mask = names.reduce(0) { $0 | (UInt64(1) << UInt64(Capabilities.names.firstIndex(of: $1)!)) }
    }

    /// docker run's flags → the set. An unknown name is an error naming it.
    public static func resolve(add: [String], drop: [String], privileged: Bool) throws -> Capabilities {
        if privileged { return all }
        // moby's rules: --cap-add ALL is every capability but the drops; --cap-drop ALL is only
        // the adds; otherwise the default set without the drops, then the adds (an add wins).
        let adds = try add.filter { !isAll($0) }.reduce(UInt64(0)) { $0 | (try bit($1, flag: "CapAdd")) }
        let drops = try drop.filter { !isAll($0) }.reduce(UInt64(0)) { $0 | (try bit($1, flag: "CapDrop")) }
        if add.contains(where: isAll) { return Capabilities(mask: all.mask & ~drops) }
        if drop.contains(where: isAll) { return Capabilities(mask: adds) }
        return Capabilities(mask: (dockerDefault.mask & ~drops) | adds)
    }

    private static func isAll(_ name: String) -> Bool { name.uppercased() == "ALL" }

    private static func bit(_ name: String, flag: String) throws -> UInt64 {
        var bare = name.uppercased()
        if bare.hasPrefix("CAP_") { bare.removeFirst(4) }
        guard let index = names.firstIndex(of: bare) else {
            throw CellError(.setup, "invalid \(flag): unknown capability: \"\(name.uppercased().hasPrefix("CAP_") ? name.uppercased() : "CAP_" + name.uppercased())\"")
        }
        return UInt64(1) << UInt64(index)
    }

    /// `CAP_CHOWN` … for inspect.
    public var names: [String] {
        Capabilities.names.enumerated().filter { mask & (UInt64(1) << UInt64($0.offset)) != 0 }.map { "CAP_" + $0.element }
    }
}
