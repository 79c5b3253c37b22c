import CellCore
import Testing
@testable import CellFormat

@Suite struct HumanUnitsTests {
    @Test func sizesLikeDockerImages() {
        #expect(HumanUnits.size(0) == "0B")
        #expect(HumanUnits.size(999) == "999B")
        #expect(HumanUnits.size(1000) == "1kB")
        #expect(HumanUnits.size(5200) == "5.2kB")
        #expect(HumanUnits.size(1_240_000) == "1.24MB")
        #expect(HumanUnits.size(7_050_000_000) == "7.05GB")
        #expect(HumanUnits.size(187_000_000) == "187MB")
        #expect(HumanUnits.size(77_800_000) == "77.8MB")
        // go-units' own quirk: 999.9kB rounds to three digits without moving to MB.
        #expect(HumanUnits.size(999_900) == "1e+03kB")
        #expect(HumanUnits.size(2_746_000, precision: 4) == "2.746MB")
        #expect(HumanUnits.size(fractionalBytes: 999_999_000_000_000_000_000_000_000.0) == "1e+03YB")
    }

    @Test func binarySizes() {
        #expect(HumanUnits.binarySize(1536) == "1.5KiB")
        #expect(HumanUnits.binarySize(512) == "512B")
        #expect(HumanUnits.binarySize(1_073_741_824) == "1GiB")
    }

    @Test func goFloatFormatting() {
        #expect(GoFloat.formatV(1e6) == "1e+06")
        #expect(GoFloat.formatV(123456) == "123456")
        #expect(GoFloat.formatV(1234567) == "1.234567e+06")
        #expect(GoFloat.formatV(0.0001) == "0.0001")
        #expect(GoFloat.formatV(0.00001) == "1e-05")
        #expect(GoFloat.formatV(1.5) == "1.5")
        #expect(GoFloat.formatV(100) == "100")
        #expect(GoFloat.formatV(-2.5) == "-2.5")
        #expect(GoFloat.formatV(0) == "0")
        #expect(GoFloat.formatV(1e21) == "1e+21")
        #expect(GoFloat.formatG(999.9, precision: 3) == "1e+03")
        #expect(GoFloat.formatG(1, precision: 3) == "1")
        #expect(GoFloat.formatG(10, precision: 3) == "10")
        #expect(GoFloat.formatG(0.000012345, precision: 3) == "1.23e-05")
        #expect(GoFloat.formatG(123.456, precision: 4) == "123.5")
    }

    @Test(arguments: [
        (0.5, "Less than a second"), (1, "1 second"), (1.9, "1 second"), (2, "2 seconds"), (59, "59 seconds"),
        (60, "About a minute"), (119, "About a minute"), (120, "2 minutes"), (3599, "59 minutes"),
        (3600, "About an hour"), (5399, "About an hour"), (5400, "2 hours"), (47 * 3600, "47 hours"),
        (48 * 3600 - 1800, "2 days"), (13 * 86400, "13 days"), (14 * 86400, "2 weeks"), (59 * 86400, "8 weeks"),
        (60 * 86400, "2 months"), (729 * 86400, "24 months"), (730 * 86400, "2 years"), (3650 * 86400, "10 years"),
    ] as [(Double, String)])
    func durationsLikeGoUnits(_ seconds: Double, _ expected: String) {
        #expect(HumanUnits.duration(seconds: seconds) == expected)
    }

    @Test func durationFromNanoseconds() {
        #expect(HumanUnits.duration(nanoseconds: 18_000_000_000) == "18 seconds")
        #expect(HumanUnits.duration(nanoseconds: 999_999_999) == "Less than a second")
    }

    @Test(arguments: [
        ("64m", 67_108_864), ("1g", 1_073_741_824), ("512k", 524_288), ("100", 100), ("100b", 100),
        ("1.5GiB", 1_610_612_736), ("2 MB", 2_097_152), ("1t", 1_099_511_627_776), ("0", 0), ("1.5k", 1536),
    ] as [(String, Int64)])
    func ramInBytes(_ text: String, _ expected: Int64) throws {
        #expect(try HumanUnits.ramInBytes(text) == expected)
    }

    @Test func decimalSizes() throws {
        #expect(try HumanUnits.fromHumanSize("5kB") == 5000)
        #expect(try HumanUnits.fromHumanSize("1.5M") == 1_500_000)
    }

    @Test(arguments: [
        ("12q", "invalid suffix: 'q'"), ("abc", "invalid size: 'abc'"), ("", "invalid size: ''"),
        ("-1", "invalid size: '-1'"), ("1mbx", "invalid suffix: 'mbx'"), ("1bb", "invalid suffix: 'bb'"),
        ("1mx", "invalid suffix: 'mx'"), ("1.2.3m", "invalid size: '1.2.3m'"),
    ])
    func rejectsBadSizes(_ text: String, _ message: String) {
        #expect(throws: CellError(.usage, message)) { try HumanUnits.ramInBytes(text) }
    }
}

/// RFC 3339 lives in CellCore's Timestamp (the monitor needs it without CellFormat); these are Go's cases.
@Suite struct RFC3339Tests {
    func format(_ seconds: Int64, _ nanoseconds: Int32 = 0) -> String {
        Timestamp(seconds: seconds, nanoseconds: nanoseconds).rfc3339Nano
    }

    func parse(_ text: String) -> (Int64, Int32)? {
        Timestamp(rfc3339: text).map { ($0.seconds, $0.nanoseconds) }
    }

    @Test func formatsLikeGo() {
        #expect(format(0) == "1970-01-01T00:00:00Z")
        #expect(format(1_714_558_830, 123_456_789) == "2024-05-01T10:20:30.123456789Z")
        #expect(format(1_714_558_830, 120_000_000) == "2024-05-01T10:20:30.12Z")
        #expect(format(1_714_558_830, 1) == "2024-05-01T10:20:30.000000001Z")
        #expect(Timestamp(seconds: 1_714_558_830, nanoseconds: 500).rfc3339 == "2024-05-01T10:20:30Z")
        #expect(format(-62_135_596_800) == "0001-01-01T00:00:00Z")
        #expect(format(-1) == "1969-12-31T23:59:59Z")
        #expect(format(951_782_400) == "2000-02-29T00:00:00Z")
    }

    @Test func parses() throws {
        #expect(parse("2024-05-01T10:20:30Z")! == (1_714_558_830, 0))
        #expect(parse("2024-05-01T10:20:30.123456789Z")! == (1_714_558_830, 123_456_789))
        #expect(parse("2024-05-01T12:20:30.5+02:00")! == (1_714_558_830, 500_000_000))
        #expect(parse("2024-05-01T05:50:30-04:30")! == (1_714_558_830, 0))
        #expect(parse("2024-05-01T10:20:30.1234567891Z")! == (1_714_558_830, 123_456_789))
        #expect(parse("0001-01-01T00:00:00Z")! == (-62_135_596_800, 0))
        #expect(parse("2000-02-29T00:00:00Z")! == (951_782_400, 0))
    }

    @Test(arguments: ["", "2024-05-01", "2024-05-01T10:20:30", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
                      "2024-05-01T24:00:00Z", "2024-05-01T10:20:60Z", "2024-05-01T10:20:30.Z", "2024-05-01 10:20:30Z",
                      "2024-05-01T10:20:30+0200", "2024-05-01T10:20:30Zjunk"])
    func rejects(_ text: String) {
        #expect(parse(text) == nil)
    }

    @Test func roundTrips() throws {
        for seconds: Int64 in [-62_135_596_800, -1, 0, 86_399, 86_400, 4_102_444_800, 253_402_300_799] {
            let text = format(seconds, 42)
            #expect(parse(text)! == (seconds, 42), "\(text)")
        }
    }
}
