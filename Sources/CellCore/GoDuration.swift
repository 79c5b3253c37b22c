/// Go's `time.ParseDuration` (`1m30s`, `500ms`, `1.5h`), the syntax of HEALTHCHECK's flags and
/// of Docker's relative times (`until=10m`, `--since 1h30m`).
public enum GoDuration {
    public static func parse(_ text: String) -> Duration? {
        var scalars = Array(text.unicodeScalars)[...]
        var negative = false
        if let sign = scalars.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            scalars = scalars.dropFirst()
        }
        if scalars.count == 1 && scalars.first == "0" { return .zero }
        guard !scalars.isEmpty else { return nil }
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        var total = 0.0
        while !scalars.isEmpty {
            var number = ""
            while let scalar = scalars.first, ("0"..."9").contains(scalar) || scalar == "." {
                number.unicodeScalars.append(scalar)
                scalars = scalars.dropFirst()
            }
            guard !number.isEmpty, number != ".", let value = Double(number.hasPrefix(".") ? "0" + number : number)
            else { return nil }
            var unit = ""
            while let scalar = scalars.first, !("0"..."9").contains(scalar), scalar != "." {
                unit.unicodeScalars.append(scalar)
                scalars = scalars.dropFirst()
            }
            guard let factor = units.first(where: { $0.0 == unit })?.1 else { return nil }
            total += value * factor
        }
        // Go refuses what an int64 of nanoseconds cannot hold (about 292 years), and so must we:
        // converting a larger Double would trap.
        guard total.rounded() < 9.2e18 else { return nil }
        let nanoseconds = Int64(total.rounded())
        return .nanoseconds(negative ? -nanoseconds : nanoseconds)
    }
}
