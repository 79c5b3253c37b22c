import CellCore
import Testing
@testable import CellRuntime
@testable import CellPrivileges

/// Capability names through libcap, with Docker's spellings and messages.
@Suite struct CapabilitiesTests {
    @Test func namesAreLibcapsInDockersSpelling() throws {
        #expect(Capabilities.number(named: "SYS_ADMIN") == 21)
        #expect(Capabilities.number(named: "checkpoint_restore") == 40)
        #expect(Capabilities.number(named: "21") == nil, "libcap takes numbers; Docker does not")
        #expect(Capabilities.number(named: "NOPE") == nil)
        #expect(Capabilities(mask: 1 << 21 | 1).names == ["CAP_CHOWN", "CAP_SYS_ADMIN"])
        #expect(Capabilities.dockerDefault.mask == 0xa80425fb)
        #expect(try Capabilities.resolve(add: ["cap_net_admin"], drop: ["chown"], privileged: false).mask == 0xa80435fa)
        let unknown = #expect(throws: CellError.self) { try Capabilities.resolve(add: ["frobnicate"], drop: [], privileged: false) }
        #expect(unknown?.message == "invalid CapAdd: unknown capability: \"CAP_FROBNICATE\"")
        #expect(Capabilities.all.mask & Capabilities.dockerDefault.mask == Capabilities.dockerDefault.mask)
    }
}
