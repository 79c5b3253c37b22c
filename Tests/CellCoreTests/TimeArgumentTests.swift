import Testing
@testable import CellCore

/// Docker's forms of a time (`until=`, `--since`), against `now` = 2024-05-01T10:20:30.5Z.
@Suite struct TimeArgumentTests {
    let now = Timestamp(rfc3339: "2024-05-01T10:20:30.5Z")!

    func parse(_ text: String) throws -> Timestamp { try TimeArgument.parse(text, now: now) }

    @Test func durationsCountBackFromNowInWholeSeconds() throws {
        #expect(try parse("10m") == Timestamp(seconds: now.seconds - 600))
        #expect(try parse("1h30m") == Timestamp(seconds: now.seconds - 5400))
        #expect(try parse("1.5h") == Timestamp(seconds: now.seconds - 5400))
        // 0.5 s after now's second began, minus 0.7 s: the second before.
        #expect(try parse("700ms") == Timestamp(seconds: now.seconds - 1))
        #expect(try parse("-5m") == Timestamp(seconds: now.seconds + 300))
        #expect(try parse("0s") == Timestamp(seconds: now.seconds))
    }

    @Test func rfc3339WithAZoneIsThatInstant() throws {
        let instant = Timestamp(rfc3339: "2024-05-01T08:00:00Z")!
        #expect(try parse("2024-05-01T08:00:00Z") == instant)
        #expect(try parse("2024-05-01T10:00:00+02:00") == instant)
        #expect(try parse("2024-05-01T03:00:00-05:00") == instant)
        #expect(try parse("2024-05-01T08:00:00.25Z") == Timestamp(seconds: instant.seconds, nanoseconds: 250_000_000))
        #expect(try parse("2024-05-01T08:00Z") == instant)
        #expect(try parse("2024-05-01T08Z") == instant)
        #expect(try parse("2024-05-01Z") == Timestamp(rfc3339: "2024-05-01T00:00:00Z")!)
    }

    @Test func withoutAZoneTheLocalOneAtNowApplies() throws {
        let offset = TimeArgument.localOffset(at: now)
        let utc = Timestamp(rfc3339: "2024-05-01T08:00:00Z")!
        #expect(try parse("2024-05-01T08:00:00") == Timestamp(seconds: utc.seconds - offset))
        #expect(try parse("2024-05-01T08:00:00.5") == Timestamp(seconds: utc.seconds - offset, nanoseconds: 500_000_000))
        #expect(try parse("2024-05-01T08") == Timestamp(seconds: utc.seconds - offset))
        #expect(try parse("2024-05-01") == Timestamp(seconds: utc.seconds - 8 * 3600 - offset))
    }

    @Test func unixSecondsWithAFraction() throws {
        #expect(try parse("1714558830") == Timestamp(seconds: 1_714_558_830))
        #expect(try parse("1714558830.25") == Timestamp(seconds: 1_714_558_830, nanoseconds: 250_000_000))
        // "0" is the epoch, not a duration (as Docker reads it).
        #expect(try parse("0") == Timestamp(seconds: 0))
    }

    @Test func anythingElseIsRefusedInDockersWords() {
        // 100000000000h is more than Go's durations hold (and more than a Double converts to Int64).
        for text in ["soon", "2024-13-01", "2024-02-30", "2024-05-01T25:00:00Z", "2024-05-01T08:00:00+2", "1d", "", "1.", "100000000000h"] {
            #expect(throws: CellError(.invalidInput, "failed to parse value as time or duration: \(GoQuote.quote(text))")) { try parse(text) }
        }
    }
}
