import Testing
@testable import CellRuntime

/// The msgpack encoder against byte strings from the msgpack specification: each value in its
/// smallest form, at the edges where one form gives way to the next.
@Suite struct MessagePackWriterTests {
    func bytes(_ build: (inout MessagePackWriter) -> Void) -> [UInt8] {
        var writer = MessagePackWriter()
        build(&writer)
        return writer.bytes
    }

    @Test func integersTakeTheirSmallestForm() {
        let unsigned: [(UInt64, [UInt8])] = [
            (0, [0x00]), (127, [0x7f]), (128, [0xcc, 0x80]), (255, [0xcc, 0xff]), (256, [0xcd, 0x01, 0x00]),
            (65535, [0xcd, 0xff, 0xff]), (65536, [0xce, 0x00, 0x01, 0x00, 0x00]), (4_294_967_295, [0xce, 0xff, 0xff, 0xff, 0xff]),
            (4_294_967_296, [0xcf, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]),
        ]
        for (value, expected) in unsigned {
            #expect(bytes { $0.append(value) } == expected, "\(value)")
            #expect(bytes { $0.append(Int64(value)) } == expected, "\(value) as a signed integer")
        }
        let negative: [(Int64, [UInt8])] = [
            (-1, [0xff]), (-32, [0xe0]), (-33, [0xd0, 0xdf]), (-128, [0xd0, 0x80]), (-129, [0xd1, 0xff, 0x7f]),
            (-32768, [0xd1, 0x80, 0x00]), (-32769, [0xd2, 0xff, 0xff, 0x7f, 0xff]),
            (-2_147_483_648, [0xd2, 0x80, 0x00, 0x00, 0x00]),
            (-2_147_483_649, [0xd3, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff]),
            (Int64.min, [0xd3, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
        ]
        for (value, expected) in negative {
            #expect(bytes { $0.append(value) } == expected, "\(value)")
        }
    }

    @Test func nilAndBooleans() {
        #expect(bytes { $0.appendNil(); $0.append(true); $0.append(false) } == [0xc0, 0xc3, 0xc2])
    }

    @Test func stringsAndBinaries() {
        #expect(bytes { $0.append("") } == [0xa0])
        #expect(bytes { $0.append("é") } == [0xa2, 0xc3, 0xa9])
        #expect(bytes { $0.append(String(repeating: "a", count: 31)) } == [0xbf] + Array(repeating: 0x61, count: 31))
        #expect(bytes { $0.append(String(repeating: "a", count: 32)) } == [0xd9, 0x20] + Array(repeating: 0x61, count: 32))
        #expect(bytes { $0.append(String(repeating: "a", count: 256)) }.prefix(3) == [0xda, 0x01, 0x00])
        #expect(bytes { $0.append(String(repeating: "a", count: 65536)) }.prefix(5) == [0xdb, 0x00, 0x01, 0x00, 0x00])
        // A container's bytes go as they are, valid UTF-8 or not.
        #expect(bytes { $0.appendString([0xff, 0x41][...]) } == [0xa2, 0xff, 0x41])
        #expect(bytes { $0.appendBinary([1, 2]) } == [0xc4, 0x02, 0x01, 0x02])
        #expect(bytes { $0.appendBinary([UInt8](repeating: 0, count: 256)) }.prefix(3) == [0xc5, 0x01, 0x00])
        #expect(bytes { $0.appendBinary([UInt8](repeating: 0, count: 65536)) }.prefix(5) == [0xc6, 0x00, 0x01, 0x00, 0x00])
    }

    @Test func arrayAndMapHeaders() {
        #expect(bytes { $0.appendArrayHeader(count: 0) } == [0x90])
        #expect(bytes { $0.appendArrayHeader(count: 15) } == [0x9f])
        #expect(bytes { $0.appendArrayHeader(count: 16) } == [0xdc, 0x00, 0x10])
        #expect(bytes { $0.appendArrayHeader(count: 65536) } == [0xdd, 0x00, 0x01, 0x00, 0x00])
        #expect(bytes { $0.appendMapHeader(count: 0) } == [0x80])
        #expect(bytes { $0.appendMapHeader(count: 15) } == [0x8f])
        #expect(bytes { $0.appendMapHeader(count: 16) } == [0xde, 0x00, 0x10])
        #expect(bytes { $0.appendMapHeader(count: 70000) } == [0xdf, 0x00, 0x01, 0x11, 0x70])
    }

    @Test func extensionsUseFixextWhereTheSizeAllows() {
        #expect(bytes { $0.appendExtension(type: 0, [UInt8](repeating: 0, count: 8)) } == [0xd7, 0x00] + [UInt8](repeating: 0, count: 8))
        #expect(bytes { $0.appendExtension(type: 1, [9]) } == [0xd4, 0x01, 0x09])
        #expect(bytes { $0.appendExtension(type: 5, [0, 0, 0]) } == [0xc7, 0x03, 0x05, 0, 0, 0])
        #expect(bytes { $0.appendExtension(type: -1, [UInt8](repeating: 0, count: 16)) }.prefix(2) == [0xd8, 0xff])
        #expect(bytes { $0.appendExtension(type: 2, [UInt8](repeating: 0, count: 300)) }.prefix(4) == [0xc8, 0x01, 0x2c, 0x02])
    }
}
