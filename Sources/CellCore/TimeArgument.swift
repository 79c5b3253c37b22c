#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A point in time as Docker's flags and filters take one (`logs --since`, `prune --filter
/// until=`), with the forms of Docker's `GetTimestamp`:
///
/// - a Go duration before `now`: `10m`, `1h30m`, `1.5h`, `-5m` (ahead); whole seconds, as Docker's;
/// - RFC 3339 and its shorter forms: `2024-05-01`, `2024-05-01T10`, `2024-05-01T10:20`,
///   `2024-05-01T10:20:30`, with a fraction after the seconds; with a zone (`Z`, `+02:00`) or
///   without, in the local zone as it is at `now`;
/// - Unix seconds, with a fraction: `1714558830`, `1714558830.5`.
public enum TimeArgument {
    public static func parse(_ text: String, now: Timestamp) throws -> Timestamp {
        if text != "0", let duration = GoDuration.parse(text) {
            // time.Now().Add(-d).Unix(): the second the instant falls in.
            // (Duration's components share the duration's sign.)
            let (seconds, attoseconds) = duration.components
            let nanoseconds = Int64(now.nanoseconds) - attoseconds / 1_000_000_000
            let carry: Int64 = nanoseconds < 0 ? -1 : nanoseconds >= 1_000_000_000 ? 1 : 0
            return Timestamp(seconds: now.seconds - seconds + carry)
        }
        if let time = calendarTime(text, now: now) { return time }
        // Docker: anything with a dash was meant as a date.
        if !text.contains("-"), let time = unixTime(text) { return time }
        throw CellError(.invalidInput, "failed to parse value as time or duration: \(GoQuote.quote(text))")
    }

    /// `YYYY-MM-DD[THH[:MM[:SS[.fraction]]]][zone]`: with a zone exactly when Docker's test (a
    /// `Z` or `+`, or three dashes) says the text has one.
    static func calendarTime(_ text: String, now: Timestamp) -> Timestamp? {
        let hasZone = text.contains("Z") || text.contains("z") || text.contains("+") || text.filter { $0 == "-" }.count == 3
        var scanner = Array(text.utf8)[...]
        func digits(_ count: Int) -> Int64? {
            guard scanner.count >= count, scanner.prefix(count).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            let value = scanner.prefix(count).reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
            scanner = scanner.dropFirst(count)
            return value
        }
        func take(_ byte: UInt8) -> Bool {
            guard scanner.first == byte else { return false }
            scanner = scanner.dropFirst()
            return true
        }
        guard let year = digits(4), take(0x2d), let month = digits(2), take(0x2d), let day = digits(2),
              (1...12).contains(month), day >= 1, day <= Timestamp.daysIn(month: month, year: year) else { return nil }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, nanoseconds: Int64 = 0
        if take(0x54) {
            guard let value = digits(2), value < 24 else { return nil }
            hour = value
            if take(0x3a) {
                guard let value = digits(2), value < 60 else { return nil }
                minute = value
                if take(0x3a) {
                    guard let value = digits(2), value < 60 else { return nil }
                    second = value
                    if take(0x2e) {
                        var count = 0
                        while let byte = scanner.first, byte >= 0x30 && byte <= 0x39 {
                            if count < 9 { nanoseconds = nanoseconds * 10 + Int64(byte - 0x30) }
                            count += 1
                            scanner = scanner.dropFirst()
                        }
                        guard count > 0 else { return nil }
                        for _ in min(count, 9)..<9 { nanoseconds *= 10 }
                    }
                }
            }
        }
        var offset: Int64
        if hasZone {
            if take(0x5a) {
                offset = 0
            } else if let sign = scanner.first, sign == 0x2b || sign == 0x2d {
                scanner = scanner.dropFirst()
                guard let hours = digits(2), take(0x3a), let minutes = digits(2), hours < 24, minutes < 60 else { return nil }
                offset = (hours * 3600 + minutes * 60) * (sign == 0x2d ? -1 : 1)
            } else {
                return nil
            }
        } else {
            offset = localOffset(at: now)
        }
        guard scanner.isEmpty else { return nil }
        let days = Timestamp.days(fromCivil: year, month, day)
        return Timestamp(seconds: days * 86_400 + hour * 3600 + minute * 60 + second - offset, nanoseconds: Int32(nanoseconds))
    }

    /// `SECONDS[.FRACTION]` since the epoch.
    static func unixTime(_ text: String) -> Timestamp? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let seconds = Int64(parts[0]) else { return nil }
        guard parts.count == 2 else { return Timestamp(seconds: seconds) }
        let fraction = parts[1]
        guard !fraction.isEmpty, fraction.allSatisfy(\.isASCII), fraction.allSatisfy(\.isNumber) else { return nil }
        let padded = String(fraction.prefix(9)) + String(repeating: "0", count: max(0, 9 - fraction.count))
        return Timestamp(seconds: seconds, nanoseconds: Int32(padded) ?? 0)
    }

    /// The local zone's offset from UTC at `time`, in seconds (TZ, else /etc/localtime).
    static func localOffset(at time: Timestamp) -> Int64 {
        var seconds = time_t(time.seconds)
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return 0 }
        return Int64(parts.tm_gmtoff)
    }
}
