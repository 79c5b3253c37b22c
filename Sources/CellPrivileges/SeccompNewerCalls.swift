/// runc's answer to a system call newer than the profile: ENOSYS, so that libc and tools fall
/// back to the older call they know (statx → stat, listmount → /proc/self/mountinfo), where the
/// profile's default EPERM reads as a refusal and fails them. A few classic BPF instructions run
/// before libseccomp's program: per ABI, a number above the highest the profile names returns
/// ENOSYS; everything else goes on to the program. x32's calls (numbers from 2^30, its own ones
/// above the newest x86_64 number) are left to the program.
enum SeccompNewerCalls {
    /// An ABI (its AUDIT_ARCH value) and the highest call number the profile names for it.
    struct Limit: Equatable {
        var architecture: UInt32
        var highest: UInt32
    }

    static let x86_64: UInt32 = 0xC000_003E  // AUDIT_ARCH_X86_64
    static let x32Bit: UInt32 = 0x4000_0000  // __X32_SYSCALL_BIT

    /// The instructions (`struct sock_filter`, 8 bytes each) to put before the program.
    static func stub(_ limits: [Limit]) -> [UInt8] {
        guard !limits.isEmpty else { return [] }
        // (code, jump-if-true target, jump-if-false target, k), targets as absolute indices.
        var code: [(UInt16, Int, Int, UInt32)] = []
        let blockLengths = limits.map { $0.architecture == x86_64 ? 4 : 3 }
        let skip = 1 + blockLengths.reduce(0, +)   // the "jump over ENOSYS" instruction
        let enosys = skip + 1, end = skip + 2
        code.append((loadWord, 0, 0, 4))          // A = seccomp_data.arch
        var start = 1
        for (limit, length) in zip(limits, blockLengths) {
            let next = start + length
            code.append((jumpIfEqual, start + 1, next, limit.architecture))
            code.append((loadWord, 0, 0, 0))      // A = seccomp_data.nr
            if limit.architecture == x86_64 { code.append((jumpIfGreaterOrEqual, end, start + 3, x32Bit)) }
            code.append((jumpIfGreater, enosys, end, limit.highest))
            start = next
        }
        code.append((jumpAlways, 0, 0, UInt32(end - skip - 1)))
        code.append((returnCode, 0, 0, 0x0005_0000 | 38))  // SECCOMP_RET_ERRNO | ENOSYS
        var bytes: [UInt8] = []
        for (index, (operation, whenTrue, whenFalse, k)) in code.enumerated() {
            let conditional = operation != loadWord && operation != jumpAlways && operation != returnCode
            let jt = conditional ? UInt8(whenTrue - index - 1) : 0
            let jf = conditional ? UInt8(whenFalse - index - 1) : 0
            bytes += [UInt8(operation & 0xff), UInt8(operation >> 8), jt, jf,
                      UInt8(k & 0xff), UInt8((k >> 8) & 0xff), UInt8((k >> 16) & 0xff), UInt8(k >> 24)]
        }
        return bytes
    }

    // linux/bpf_common.h
    static let loadWord: UInt16 = 0x20              // BPF_LD | BPF_W | BPF_ABS
    static let jumpAlways: UInt16 = 0x05            // BPF_JMP | BPF_JA
    static let jumpIfEqual: UInt16 = 0x15           // BPF_JMP | BPF_JEQ | BPF_K
    static let jumpIfGreater: UInt16 = 0x25         // BPF_JMP | BPF_JGT | BPF_K
    static let jumpIfGreaterOrEqual: UInt16 = 0x35  // BPF_JMP | BPF_JGE | BPF_K
    static let returnCode: UInt16 = 0x06            // BPF_RET | BPF_K
}
