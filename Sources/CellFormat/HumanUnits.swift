import CellCore

/// docker's go-units: sizes and durations as docker prints them, and size strings as docker reads them.
public enum HumanUnits {
    static let decimalUnits = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
    static let binaryUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]

    /// units.HumanSizeWithPrecision: decimal units, `precision` significant digits as Go's `%.*g`.
    /// `docker images`/`docker ps` use 3 (`1.24MB`, `5.2kB`, `0B`); go-units' plain HumanSize uses 4.
    /// Faithful to a quirk: 999.9kB rounds to `1e+03kB`, as docker prints it.
    public static func size(_ bytes: Int64, precision: Int = 3) -> String {
        size(fractionalBytes: Double(bytes), precision: precision)
    }

    public static func size(fractionalBytes bytes: Double, precision: Int = 3) -> String {
        let (value, unit) = scaled(bytes, base: 1000, units: decimalUnits)
        return GoFloat.formatG(value, precision: precision) + unit
    }

    /// A number with a fixed count of decimals (`%.*f`): `0.125` for 3.
    public static func fixed(_ value: Double, digits: Int) -> String {
        GoFloat.cFormat("%.*f", precision: digits, value)
    }

    /// A percentage as docker prints it (`%.2f%%`): `12.50%`.
    public static func percent(_ value: Double) -> String {
        fixed(value, digits: 2) + "%"
    }

    /// units.BytesSize: binary units with 4 significant digits (`1.5GiB`, `512KiB`).
    public static func binarySize(_ bytes: Int64) -> String {
        let (value, unit) = scaled(Double(bytes), base: 1024, units: binaryUnits)
        return GoFloat.formatG(value, precision: 4) + unit
    }

    private static func scaled(_ size: Double, base: Double, units: [String]) -> (Double, String) {
        var value = size
        var index = 0
        while value >= base && index < units.count - 1 {
            value /= base
            index += 1
        }
        return (value, units[index])
    }

    /// units.HumanDuration: `Less than a second`, `About a minute`, `3 hours`, `2 weeks`...
    /// Callers add the context: `"\(…) ago"` for CREATED, `"Up \(…)"` for STATUS.
    public static func duration(seconds: Double) -> String {
        duration(nanoseconds: seconds >= 9.2e9 ? Int64.max : Int64((seconds * 1e9).rounded(.towardZero)))
    }

    /// The same from a Go time.Duration (nanoseconds); the thresholds are go-units' exactly.
    public static func duration(nanoseconds: Int64) -> String {
        let second: Int64 = 1_000_000_000
        let hour = 3600 * second
        let seconds = nanoseconds / second
        if seconds < 1 { return "Less than a second" }
        if seconds == 1 { return "1 second" }
        if seconds < 60 { return "\(seconds) seconds" }
        let minutes = nanoseconds / (60 * second)
        if minutes == 1 { return "About a minute" }
        if minutes < 60 { return "\(minutes) minutes" }
        // time.Duration.Round(time.Hour): halves round away from zero.
        let (quotient, remainder) = nanoseconds.quotientAndRemainder(dividingBy: hour)
        let hours = remainder + remainder < hour ? quotient : quotient + 1
        if hours == 1 { return "About an hour" }
        if hours < 48 { return "\(hours) hours" }
        if hours < 24 * 7 * 2 { return "\(hours / 24) days" }
        if hours < 24 * 30 * 2 { return "\(hours / 24 / 7) weeks" }
        if hours < 24 * 365 * 2 { return "\(hours / 24 / 30) months" }
        return "\(nanoseconds / hour / 24 / 365) years"
    }

    /// units.RAMInBytes: `64m`, `1g`, `512k`, `100` (bytes), `1.5GiB`, `2 MB`; k/m/g/t/p are powers of 1024.
    /// Errors match go-units: `invalid size: '…'` without a number, `invalid suffix: '…'` for a bad unit.
    public static func ramInBytes(_ text: String) throws -> Int64 {
        try parseSize(text, base: 1024)
    }

    /// units.FromHumanSize: the same syntax with powers of 1000 (`5kB` is 5000).
    public static func fromHumanSize(_ text: String) throws -> Int64 {
        try parseSize(text, base: 1000)
    }

    private static func parseSize(_ text: String, base: Double) throws -> Int64 {
        let invalidSize = CellError(.usage, "invalid size: '\(text)'")
        let bytes = Array(text.utf8)
        // The number ends at the last digit, point or space (go-units' LastIndexAny).
        guard let separator = bytes.lastIndex(where: { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2e || $0 == 0x20 }) else {
            throw invalidSize
        }
        let numberEnd = bytes[separator] == 0x20 ? separator : separator + 1
        let numberText = String(decoding: bytes[..<numberEnd], as: UTF8.self)
        var suffix = String(decoding: bytes[(separator + 1)...], as: UTF8.self)
        guard isDecimal(numberText), var size = Double(numberText) else { throw invalidSize }
        if size < 0 { throw invalidSize }
        if suffix.isEmpty { return clamp(size) }
        let invalidSuffix = CellError(.usage, "invalid suffix: '\(suffix)'")
        if suffix.utf8.count > 3 { throw invalidSuffix }
        suffix = suffix.lowercased()
        let letters = Array(suffix.utf8)
        if letters[0] == UInt8(ascii: "b") {
            guard letters.count == 1 else { throw invalidSuffix }
            return clamp(size)
        }
        guard let power = Array("kmgtp".utf8).firstIndex(of: letters[0]) else { throw invalidSuffix }
        for _ in 0...power { size *= base }
        if letters.count == 2 && letters[1] != UInt8(ascii: "b") { throw invalidSuffix }
        if letters.count == 3 && (letters[1] != UInt8(ascii: "i") || letters[2] != UInt8(ascii: "b")) { throw invalidSuffix }
        return clamp(size)
    }

    /// strconv.ParseFloat's decimal forms only (Swift would also take `nan`, `inf` and hex).
    private static func isDecimal(_ text: String) -> Bool {
        var sawDigit = false
        var sawPoint = false
        for byte in text.utf8 {
            if byte >= 0x30 && byte <= 0x39 { sawDigit = true } else if byte == 0x2e && !sawPoint { sawPoint = true } else { return false }
        }
        return sawDigit
    }

    private static func clamp(_ size: Double) -> Int64 {
        size >= 9.223372036854775807e18 ? Int64.max : Int64(size)
    }
}
