#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A point in time as seconds and nanoseconds since the Unix epoch, UTC, with Go's RFC 3339 forms
/// (docker writes `created`, `StartedAt` and log times that way). No Foundation: the monitor uses it.
public struct Timestamp: Hashable, Comparable, Sendable {
    public var seconds: Int64
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(seconds: Int64(ts.tv_sec), nanoseconds: Int32(ts.tv_nsec))
    }

    /// Go's zero time, which docker prints for a container that never finished.
    public static let goZero = Timestamp(seconds: -62_135_596_800)

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// Seconds elapsed since `self`, as a Double.
    public func secondsUntil(_ later: Timestamp) -> Double {
        Double(later.seconds - seconds) + Double(later.nanoseconds - nanoseconds) / 1e9
    }

    /// `2024-05-01T10:20:30.123456789Z`, trailing zeros of the fraction trimmed (Go's RFC3339Nano).
    public var rfc3339Nano: String { format(fraction: true) }

    /// `2024-05-01T10:20:30.120000000Z`: always nine digits (Docker's RFC3339NanoFixed, the
    /// events' and `logs -t`'s times).
    public var rfc3339NanoFixed: String { format(fraction: true, fixed: true) }

    /// `2024-05-01T10:20:30Z`
    public var rfc3339: String { format(fraction: false) }

    private func format(fraction: Bool, fixed: Bool = false) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Timestamp.civil(fromDays: days)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
        text += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay % 3600 / 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fraction && (nanoseconds > 0 || fixed) {
            var digits = pad(Int64(nanoseconds), 9)
            while !fixed && digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }

    private func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Parses RFC 3339 (`Z` or `±hh:mm` offsets, optional fraction); nil when malformed.
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= b.count else { return nil }
            var value: Int64 = 0
            for i in range {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                value = value * 10 + Int64(b[i] - 0x30)
            }
            return value
        }
        guard b.count >= 20, b[4] == 0x2d, b[7] == 0x2d, b[10] == 0x54,
              b[13] == 0x3a, b[16] == 0x3a,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), day >= 1, day <= Timestamp.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var nanos: Int64 = 0
        if index < b.count && b[index] == 0x2e {
            index += 1
            var digits = 0
            while index < b.count && b[index] >= 0x30 && b[index] <= 0x39 {
                if digits < 9 { nanos = nanos * 10 + Int64(b[index] - 0x30); digits += 1 }
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanos *= 10 }
        }
        guard index < b.count else { return nil }
        var offset: Int64 = 0
        if b[index] == 0x5a || b[index] == 0x7a {
            guard index + 1 == b.count else { return nil }
        } else if b[index] == 0x2b || b[index] == 0x2d {
            guard index + 6 == b.count, b[index + 3] == 0x3a,
                  let oh = number(index + 1..<index + 3), let om = number(index + 4..<index + 6) else { return nil }
            offset = (oh * 3600 + om * 60) * (b[index] == 0x2d ? -1 : 1)
        } else {
            return nil
        }
        let days = Timestamp.days(fromCivil: year, month, day)
        self.init(seconds: days * 86_400 + hour * 3600 + minute * 60 + second - offset, nanoseconds: Int32(nanos))
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days-from-civil and its inverse (proleptic Gregorian calendar).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
