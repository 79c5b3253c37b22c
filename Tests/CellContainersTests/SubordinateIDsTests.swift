import Testing
import CellRuntime
@testable import CellContainers

/// --userns=auto's choice of ids from /etc/subuid-style ranges.
@Suite("subordinate ids")
struct SubordinateIDsTests {
    @Test func rangesOfTheUserByNameOrUID() {
        let text = "alice:100000:65536\ncontainers:200000:262144\n1500:900000:65536\nbroken line\ncontainers:x:1\n"
        #expect(SubordinateIDs.ranges(in: text) == [IDMapping.Range(hostStart: 200000, size: 262144)])
        #expect(SubordinateIDs.ranges(in: text, user: "bob", uid: 1500) == [IDMapping.Range(hostStart: 900000, size: 65536)])
    }

    @Test func blocksDoNotOverlapTheOnesInUse() {
        let available = [IDMapping.Range(hostStart: 200000, size: 262144)]
        let first = SubordinateIDs.allocate(65536, in: available, avoiding: [])
        #expect(first == IDMapping.Range(hostStart: 200000, size: 65536))
        let second = SubordinateIDs.allocate(65536, in: available, avoiding: [first!, IDMapping.Range(hostStart: 270000, size: 10)])
        #expect(second == IDMapping.Range(hostStart: 270010, size: 65536))
        let all = (0..<4).map { IDMapping.Range(hostStart: 200000 + UInt32($0) * 65536, size: 65536) }
        #expect(SubordinateIDs.allocate(65536, in: available, avoiding: all) == nil)
    }
}
