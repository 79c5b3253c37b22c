#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSeccomp
import CellCore

/// A seccomp profile compiled by libseccomp into the BPF program the container's process
/// installs just before exec. Compiled in the monitor (and in `exec`), never in the child:
/// libseccomp allocates.
public enum SeccompFilter {
    /// The program for `profile` and `capabilities`, from `cacheDirectory` when it was compiled
    /// before: libseccomp takes ~15 ms to build Docker's profile for three ABIs, a read takes
    /// microseconds. An entry holds its whole key, so a hash collision is a miss, not a mix-up.
    public static func program(for profile: SeccompProfile, capabilities: Capabilities, cacheDirectory: String?) throws -> [UInt8] {
        guard let cacheDirectory else { return try compile(profile, capabilities: capabilities) }
        var writer = RecordWriter()
        try SeccompCoding.append(.custom(profile), to: &writer)
        let key = writer.bytes + Array("caps \(capabilities.mask) libseccomp \(libraryVersion) tree enosys\n".utf8)
        let path = "\(cacheDirectory)/\(hash(key)).bpf"
        if let cached = try? FileSystem.readFileIfPresent(path), cached.count > key.count, Array(cached[0..<key.count]) == key,
           (cached.count - key.count) % 8 == 0 {
            return Array(cached[key.count...])
        }
        let program = try compile(profile, capabilities: capabilities)
        try? FileSystem.createDirectory(cacheDirectory, mode: 0o700)
        try? FileSystem.writeAtomically(key + program, to: path, mode: 0o600, durable: false)
        return program
    }

    private static var libraryVersion: String {
        guard let version = seccomp_version() else { return "?" }
        return "\(version.pointee.major).\(version.pointee.minor).\(version.pointee.micro)"
    }

    /// FNV-1a, 64 bits: a file name, not a guarantee (the entry carries its key).
    private static func hash(_ bytes: [UInt8]) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    /// The program's `struct sock_filter` entries (8 bytes each) for a process with `capabilities`.
    public static func compile(_ profile: SeccompProfile, capabilities: Capabilities) throws -> [UInt8] {
        guard let context = seccomp_init(action(profile.defaultAction)) else {
            throw CellError(.setup, "seccomp: cannot create a filter")
        }
        defer { seccomp_release(context) }
        // A binary tree of system call numbers, not a list: the kernel runs the filter for every
        // call number when it installs it (to cache what is always allowed) and on every call.
        _ = seccomp_attr_set(context, SCMP_FLTATR_CTL_OPTIMIZE, 2)
        // Programs built for the 32-bit ABIs run on x86_64 too: the rules cover them as well
        // (unless a profile names its architectures).
        var architectures = profile.architectures ?? []
        #if arch(x86_64)
        if profile.architectures == nil { architectures = ["x86", "x32"] }
        #endif
        var filtered = [seccomp_arch_native()]
        for name in architectures {
            let arch = seccomp_arch_resolve_name(name)
            if arch != 0 && arch != seccomp_arch_native() && seccomp_arch_add(context, arch) == 0 { filtered.append(arch) }
        }
        for rule in profile.rules(for: capabilities) {
            let ruleAction = action(rule.action)
            if ruleAction == action(profile.defaultAction) { continue }
            var comparisons = rule.arguments.map { argument in
                scmp_arg_cmp(arg: argument.index, op: comparison(argument.op), datum_a: argument.value, datum_b: argument.valueTwo)
            }
            for name in rule.names {
                let number = seccomp_syscall_resolve_name(name)
                // A call this architecture does not have (chown32 on x86_64) is no rule.
                if number < 0 { continue }
                let result = comparisons.withUnsafeMutableBufferPointer {
                    seccomp_rule_add_array(context, ruleAction, number, UInt32($0.count), $0.baseAddress)
                }
                if result < 0 && result != -EEXIST {
                    throw CellError(.setup, "seccomp: rule for \(name): \(Syscall.errorString(-result))")
                }
            }
        }
        let program = try export(context)
        guard profile.defaultAction != .allow else { return program }
        // The x86 and x32 ABIs: x32 is left to the program (see SeccompNewerCalls).
        let limits = filtered.filter { $0 != SCMP_ARCH_X32 }.compactMap { arch -> SeccompNewerCalls.Limit? in
            let numbers = profile.rules.flatMap(\.names).map { seccomp_syscall_resolve_name_arch(arch, $0) }
            return numbers.max().flatMap { $0 >= 0 ? SeccompNewerCalls.Limit(architecture: arch, highest: UInt32($0)) : nil }
        }
        return SeccompNewerCalls.stub(limits) + program
    }

    /// Whether libseccomp knows the ABI ("x86_64", "aarch64"...).
    public static func isKnownArchitecture(_ name: String) -> Bool { seccomp_arch_resolve_name(name) != 0 }

    /// seccomp_export_bpf writes to an fd: a pipe, made large enough for any program.
    private static func export(_ context: scmp_filter_ctx) throws -> [UInt8] {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CellError(.setup, "seccomp: pipe: \(Syscall.errorString(errno))") }
        defer { close(fds[0]) }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], 1031 /* F_SETPIPE_SZ */, 1 << 20)
        let result = seccomp_export_bpf(context, fds[1])
        close(fds[1])
        if result < 0 { throw CellError(.setup, "seccomp: export: \(Syscall.errorString(-result))") }
        var program: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            program += chunk[0..<count]
        }
        guard !program.isEmpty, program.count % 8 == 0 else { throw CellError(.setup, "seccomp: the compiled filter is malformed") }
        return program
    }

    /// libseccomp's SCMP_ACT_* values (macros Swift cannot import).
    static func action(_ action: SeccompProfile.Action) -> UInt32 {
        switch action {
        case .allow: return 0x7fff_0000
        case .errno(let code): return 0x0005_0000 | (code & 0xffff)
        case .killThread: return 0x0000_0000
        case .killProcess: return 0x8000_0000
        case .trap: return 0x0003_0000
        case .log: return 0x7ffc_0000
        }
    }

    static func comparison(_ op: SeccompProfile.Argument.Operator) -> scmp_compare {
        switch op {
        case .notEqual: return SCMP_CMP_NE
        case .lessThan: return SCMP_CMP_LT
        case .lessOrEqual: return SCMP_CMP_LE
        case .equal: return SCMP_CMP_EQ
        case .greaterOrEqual: return SCMP_CMP_GE
        case .greaterThan: return SCMP_CMP_GT
        case .maskedEqual: return SCMP_CMP_MASKED_EQ
        }
    }
}
