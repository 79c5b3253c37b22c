import Testing
import CellCore
@testable import CellRuntime

/// Docker's fluentd events in the Forward protocol's Message mode, byte for byte.
@Suite struct FluentdEventTests {
    let destination = FluentdDestination(address: .tcp(host: "127.0.0.1", port: 24224), tag: "web", containerID: "abc",
                                         containerName: "/web")
    // 2024-05-01T10:20:30.1234567Z
    let time = Timestamp(seconds: 1_714_558_830, nanoseconds: 123_456_700)

    func text(_ string: String) -> [UInt8] { [0xa0 | UInt8(string.utf8.count)] + Array(string.utf8) }

    @Test func aLineIsTagTimeRecordAndAnEmptyOption() {
        let event = FluentdEvent(destination: destination).encode(Array("hi".utf8)[...], source: .stdout, time: time)
        let expected: [UInt8] = [0x94] + text("web") + [0xce, 0x66, 0x32, 0x17, 0x6e] + [0x84]
            + text("container_id") + text("abc") + text("container_name") + text("/web")
            + text("source") + text("stdout") + text("log") + text("hi") + [0x80]
        #expect(event == expected)
    }

    @Test func subSecondPrecisionSendsAnEventTime() {
        var precise = destination
        precise.subSecondPrecision = true
        let event = FluentdEvent(destination: precise).encode(Array("x".utf8)[...], source: .stderr, time: time)
        // fixext 8 of type 0: seconds, then nanoseconds (123456700 = 0x075bccbc), both big-endian.
        #expect(Array(event[5..<15]) == [0xd7, 0x00, 0x66, 0x32, 0x17, 0x6e, 0x07, 0x5b, 0xcc, 0xbc])
    }

    @Test func partialPiecesAndExtraFieldsFollowDockersFields() {
        var labelled = destination
        labelled.extraFields = ["team": "core", "log": "replaced"]
        let event = FluentdEvent(destination: labelled).encode(Array("piece".utf8)[...], source: .stdout, time: time,
                                                               partial: .init(id: "p1", ordinal: 2, last: true))
        let expected: [UInt8] = [0x94] + text("web") + [0xce, 0x66, 0x32, 0x17, 0x6e] + [0x89]
            + text("container_id") + text("abc") + text("container_name") + text("/web")
            + text("source") + text("stdout") + text("log") + text("replaced")
            + text("partial_message") + text("true") + text("partial_id") + text("p1")
            + text("partial_ordinal") + text("2") + text("partial_last") + text("true")
            + text("team") + text("core") + [0x80]
        #expect(event == expected)
        // Without a piece, a label named as a partial field is an ordinary field.
        labelled.extraFields = ["partial_id": "mine"]
        let plain = FluentdEvent(destination: labelled).encode(Array("x".utf8)[...], source: .stdout, time: time)
        #expect(Array(plain.suffix(17)) == text("partial_id") + text("mine") + [0x80])
        #expect(plain[10] == 0x85, "four fields and the label")
    }
}
