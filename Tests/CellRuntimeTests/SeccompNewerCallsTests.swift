import Testing
@testable import CellRuntime
@testable import CellPrivileges

/// The stub before libseccomp's program, run by a small classic-BPF interpreter of the
/// instructions it uses.
@Suite struct SeccompNewerCallsTests {
    static let i386: UInt32 = 0x4000_0003

    /// ENOSYS's return value, or nil when the stub falls through to the program.
    static func run(_ program: [UInt8], nr: UInt32, arch: UInt32) -> UInt32? {
        var accumulator: UInt32 = 0
        var index = 0
        let count = program.count / 8
        while index < count {
            let bytes = program[(index * 8)..<(index * 8 + 8)].map { UInt32($0) }
            let code = bytes[0] | bytes[1] << 8, jt = Int(bytes[2]), jf = Int(bytes[3])
            let k = bytes[4] | bytes[5] << 8 | bytes[6] << 16 | bytes[7] << 24
            switch code {
            case 0x20: accumulator = k == 0 ? nr : arch
            case 0x05: index += Int(k)
            case 0x15: index += accumulator == k ? jt : jf
            case 0x25: index += accumulator > k ? jt : jf
            case 0x35: index += accumulator >= k ? jt : jf
            case 0x06: return k
            default: Issue.record("unexpected instruction \(code)"); return nil
            }
            index += 1
        }
        return nil
    }

    @Test func callsAboveTheNewestTheProfileNamesAnswerENOSYS() {
        let stub = SeccompNewerCalls.stub([.init(architecture: SeccompNewerCalls.x86_64, highest: 456), .init(architecture: Self.i386, highest: 462)])
        let enosys: UInt32 = 0x0005_0026
        #expect(Self.run(stub, nr: 457, arch: SeccompNewerCalls.x86_64) == enosys)
        #expect(Self.run(stub, nr: 456, arch: SeccompNewerCalls.x86_64) == nil)
        #expect(Self.run(stub, nr: 0, arch: SeccompNewerCalls.x86_64) == nil)
        // x32's numbers (2^30 and up, its own calls above 456) are the program's to judge.
        #expect(Self.run(stub, nr: 0x4000_0000 + 512, arch: SeccompNewerCalls.x86_64) == nil)
        #expect(Self.run(stub, nr: 462, arch: Self.i386) == nil)
        #expect(Self.run(stub, nr: 463, arch: Self.i386) == enosys)
        // Another ABI (the program kills it) passes through.
        #expect(Self.run(stub, nr: 9999, arch: 0xC000_00B7) == nil)
        #expect(SeccompNewerCalls.stub([]).isEmpty)
    }

    @Test func theDefaultProfilesProgramStartsWithTheStub() throws {
        let program = try SeccompFilter.compile(.dockerDefault, capabilities: .dockerDefault)
        #expect(Self.run(Array(program.prefix(8 * 12)), nr: 1000, arch: SeccompNewerCalls.x86_64) == 0x0005_0026)
        #expect(try SeccompFilter.compile(SeccompProfile(defaultAction: .allow, rules: []), capabilities: .dockerDefault).count
                    < program.count, "an allow-by-default profile gets no stub")
    }
}
