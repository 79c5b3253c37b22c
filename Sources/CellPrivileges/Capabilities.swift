#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCap
import CellCore

/// A process's capability set (bit n = capability n), by Docker's rules: its default set,
/// `--cap-add`/`--cap-drop` by name (with or without `CAP_`, any case, or `ALL`), and
/// `--privileged` for every capability the kernel has. Names and the kernel's count come from
/// libcap; the child applies the masks with capset(2) itself (capabilities.c), since it may
/// not allocate.
public struct Capabilities: Equatable, Sendable {
    public var mask: UInt64

    public init(mask: UInt64) {
        self.mask = mask
    }

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
        // libcap's count: the running kernel's, else the ones it was built to know.
        let count = min(Int(cap_max_bits()), 64)
        return Capabilities(mask: count >= 64 ? ~0 : (UInt64(1) << UInt64(count)) - 1)
    }

    private init(names: [String]) {
        mask = names.reduce(0) { $0 | (UInt64(1) << UInt64(Capabilities.number(named: $1)!)) }
    }

    /// A capability's number by its name without `CAP_` ("SYS_ADMIN"), as libcap knows the
    /// names; nil for one it does not know. Only names: libcap would also take "21".
    static func number(named bare: String) -> Int? {
        guard !bare.isEmpty, bare.allSatisfy({ $0 == "_" || ($0.isASCII && $0.isLetter) }) else { return nil }
        var value: cap_value_t = 0
        guard cap_from_name("cap_" + bare.lowercased(), &value) == 0, (0..<64).contains(value) else { return nil }
        return Int(value)
    }

    /// "CAP_SYS_ADMIN" for 21, as libcap names it (a number it has no name for stays a number).
    static func name(of number: Int) -> String {
        guard let text = cap_to_name(cap_value_t(number)) else { return "CAP_\(number)" }
        defer { cap_free(UnsafeMutableRawPointer(text)) }
        return String(cString: text).uppercased()  // "cap_sys_admin"
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
        guard let index = number(named: bare) else {
            throw CellError(.setup, "invalid \(flag): unknown capability: \"\(name.uppercased().hasPrefix("CAP_") ? name.uppercased() : "CAP_" + name.uppercased())\"")
        }
        return UInt64(1) << UInt64(index)
    }

    /// `CAP_CHOWN` … for inspect and the profile's capability conditions.
    public var names: [String] {
        (0..<64).filter { mask & (UInt64(1) << UInt64($0)) != 0 }.map(Capabilities.name(of:))
    }
}
