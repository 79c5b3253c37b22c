/// A device allow-list as the eBPF program cgroup v2 checks at every open and mknod of a
/// device node (BPF_PROG_TYPE_CGROUP_DEVICE; v2 has no devices.allow file). The program
/// reads the kernel's `struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }`
/// (access_type: access flags << 16 | device type) and returns 1 (allow) when a rule
/// matches, else 0: default deny, as runc's generated filter does.
public enum DeviceFilterProgram {
    /// The instructions, each `struct bpf_insn` as one little-endian 64-bit word.
    public static func instructions(allowing rules: [DeviceRule]) -> [UInt64] {
        // Registers: r1 = the context, r2 = type, r3 = access, r4 = major, r5 = minor, r0 = result.
        var program: [UInt64] = [
            loadWord(into: 2, from: 1, offset: 0),
            andImmediate(2, 0xFFFF),
            loadWord(into: 3, from: 1, offset: 0),
            shiftRightImmediate(3, 16),
            loadWord(into: 4, from: 1, offset: 4),
            loadWord(into: 5, from: 1, offset: 8),
        ]
        for rule in rules { program += block(for: rule) }
        program += [moveImmediate(0, 0), exit]
        return program
    }

    /// A rule's tests, each jumping past the block when it fails, then "allow".
    private static func block(for rule: DeviceRule) -> [UInt64] {
        // Tests as (register, value) "jump if not equal" pairs, plus the access test.
        var tests: [[(code: UInt8, destination: UInt8, immediate: Int32)]] = []
        switch rule.kind {
        case .character: tests.append([(jumpIfNotEqual, 2, typeCharacter)])
        case .block: tests.append([(jumpIfNotEqual, 2, typeBlock)])
        case .all: break
        }
        if rule.access != .all {
            // Every asked-for access bit must be one the rule grants: (access & ~granted) == 0.
            tests.append([(moveRegister, 1, 3), (andImmediateCode, 1, ~Int32(rule.access.rawValue)), (jumpIfNotEqual, 1, 0)])
        }
        if let major = rule.major { tests.append([(jumpIfNotEqual, 4, Int32(bitPattern: major))]) }
        if let minor = rule.minor { tests.append([(jumpIfNotEqual, 5, Int32(bitPattern: minor))]) }
        let flat = tests.flatMap { $0 }
        let length = flat.count + 2
        var block: [UInt64] = []
        for (index, test) in flat.enumerated() {
            switch test.code {
            case jumpIfNotEqual:
                block.append(instruction(test.code, destination: test.destination, offset: Int16(length - index - 1), immediate: test.immediate))
            case moveRegister:
                block.append(instruction(test.code, destination: test.destination, source: UInt8(test.immediate)))
            default:
                block.append(instruction(test.code, destination: test.destination, immediate: test.immediate))
            }
        }
        return block + [moveImmediate(0, 1), exit]
    }

    // The kernel's values (linux/bpf.h, linux/bpf_common.h).
    static let typeBlock: Int32 = 1, typeCharacter: Int32 = 2  // BPF_DEVCG_DEV_BLOCK, _CHAR
    static let loadWordCode: UInt8 = 0x61          // BPF_LDX | BPF_MEM | BPF_W
    static let andImmediateCode: UInt8 = 0x57      // BPF_ALU64 | BPF_AND | BPF_K
    static let shiftRightCode: UInt8 = 0x77        // BPF_ALU64 | BPF_RSH | BPF_K
    static let moveImmediateCode: UInt8 = 0xB7     // BPF_ALU64 | BPF_MOV | BPF_K
    static let moveRegister: UInt8 = 0xBF          // BPF_ALU64 | BPF_MOV | BPF_X
    static let jumpIfNotEqual: UInt8 = 0x55        // BPF_JMP | BPF_JNE | BPF_K
    static let exitCode: UInt8 = 0x95              // BPF_JMP | BPF_EXIT

    static func instruction(_ code: UInt8, destination: UInt8 = 0, source: UInt8 = 0, offset: Int16 = 0, immediate: Int32 = 0) -> UInt64 {
        // struct bpf_insn { u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm; }, little-endian.
        UInt64(code) | UInt64(destination & 0xF | (source & 0xF) << 4) << 8
            | UInt64(UInt16(bitPattern: offset)) << 16 | UInt64(UInt32(bitPattern: immediate)) << 32
    }
    static func loadWord(into destination: UInt8, from source: UInt8, offset: Int16) -> UInt64 {
        instruction(loadWordCode, destination: destination, source: source, offset: offset)
    }
    static func andImmediate(_ register: UInt8, _ value: Int32) -> UInt64 { instruction(andImmediateCode, destination: register, immediate: value) }
    static func shiftRightImmediate(_ register: UInt8, _ value: Int32) -> UInt64 { instruction(shiftRightCode, destination: register, immediate: value) }
    static func moveImmediate(_ register: UInt8, _ value: Int32) -> UInt64 { instruction(moveImmediateCode, destination: register, immediate: value) }
    static let exit = instruction(exitCode)
}
