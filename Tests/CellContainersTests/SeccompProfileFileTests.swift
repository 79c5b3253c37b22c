import CellCore
import CellFormat
import CellRuntime
import Testing
@testable import CellContainers
@testable import CellPrivileges

/// Docker's profile format read as runc and moby read it, for a given host.
@Suite struct SeccompProfileFileTests {
    let amd64 = SeccompProfileFile.Host(goArchitecture: "amd64", seccompArchitecture: "x86_64", kernel: [6, 1, 0])

    func parse(_ text: String, host: SeccompProfileFile.Host? = nil) throws -> SeccompProfile {
        try SeccompProfileFile.parse(try JSONValue(parsing: Array(text.utf8)), host: host ?? amd64)
    }

    @Test func anErrnoRuleWithoutErrnoRetAnswersEPERM() throws {
        let profile = try parse(#"""
            {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
             "syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_ERRNO"},
                          {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
            """#)
        #expect(profile.defaultAction == .errno(38))
        #expect(profile.rules.map(\.action) == [.errno(1), .errno(13)])
    }

    @Test func rulesForOtherArchitecturesAndKernelsAreDropped() throws {
        let text = #"""
            {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
              {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["s390", "s390x"]}},
              {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["s390", "s390x"]}},
              {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
              {"names": ["newer"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "6.10"}},
              {"names": ["older"], "action": "SCMP_ACT_ALLOW", "excludes": {"minKernel": "6.10"}},
              {"names": ["chroot"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_CHROOT"]}}]}
            """#
        let profile = try parse(text)
        #expect(profile.rules.map(\.names) == [["clone"], ["ptrace"], ["older"], ["chroot"]])
        #expect(profile.rules.last?.includesCapabilities == ["CAP_SYS_CHROOT"])
        let s390x = SeccompProfileFile.Host(goArchitecture: "s390x", seccompArchitecture: "s390x", kernel: [6, 12])
        #expect(try parse(text, host: s390x).rules.map(\.names) == [["clone"], ["ptrace"], ["newer"], ["chroot"]])
        #expect(throws: CellError.self) {
            try parse(#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["x"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "new"}}]}"#)
        }
    }

    @Test func conditionsOnOneArgumentAreAlternatives() throws {
        let profile = try parse(#"""
            {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
              {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [
                {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
              {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [
                {"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}
            """#)
        #expect(profile.rules.map(\.arguments.count) == [1, 1, 2])
        #expect(profile.rules[0].arguments[0].value == 1 && profile.rules[1].arguments[0].value == 2)
        // Alternatives compile: libseccomp refuses two comparisons of one argument in a rule.
        _ = try SeccompFilter.compile(profile, capabilities: .dockerDefault)
    }

    @Test func architecturesAndTheNativeOnesSubArchitectures() throws {
        let profile = try parse(#"""
            {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
             "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                         {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}]}
            """#)
        #expect(profile.architectures == ["x86", "x32"])
        #expect(try parse(#"{"defaultAction": "SCMP_ACT_ALLOW"}"#).architectures == [])
        let unknown = #expect(throws: CellError.self) {
            try parse(#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_NOPE"]}"#)
        }
        #expect(unknown?.message == "unknown architecture SCMP_ARCH_NOPE")
    }
}
