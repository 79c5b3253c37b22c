#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Go's strconv float formatting ('e', 'f', 'g' with or without precision), which fmt's %v,
/// encoding/json and go-units build on. Digits come from Swift's shortest round-trip description
/// (the same digits Go's shortest algorithm picks) or from C's correctly rounded %e for a precision.
enum GoFloat {
    /// A finite non-negative value as decimal digits d1 d2 ... with the point after `point` digits:
    /// 0.d1d2... × 10^point, trailing zeros removed (Go's decimal shape). Zero has no digits.
    struct Digits {
        var digits: [UInt8]
        var point: Int
    }

    /// The shortest digits that read back as `value` (non-negative, finite).
    static func shortest(_ value: Double) -> Digits {
        if value == 0 { return Digits(digits: [], point: 0) }
        let text = value.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...].filter { $0 != "+" }) ?? 0
        }
        return normalize(mantissa: mantissa, exponent: exponent)
    }

    /// `value` rounded to `significant` digits (half to even on the exact binary value, as Go rounds).
    static func rounded(_ value: Double, significant: Int) -> Digits {
        if value == 0 { return Digits(digits: [], point: 0) }
        let text = cFormat("%.*e", precision: max(significant, 1) - 1, value)
        guard let e = text.firstIndex(of: "e") else { return shortest(value) }
        return normalize(mantissa: text[..<e], exponent: Int(text[text.index(after: e)...].filter { $0 != "+" }) ?? 0)
    }

    private static func normalize(mantissa: Substring, exponent: Int) -> Digits {
        var digits: [UInt8] = []
        var point = 0
        var seenPoint = false
        for byte in mantissa.utf8 {
            if byte == UInt8(ascii: ".") { seenPoint = true; continue }
            guard byte >= 0x30 && byte <= 0x39 else { continue }
            digits.append(byte)
            if !seenPoint { point += 1 }
        }
        point += exponent
        while let first = digits.first, first == UInt8(ascii: "0") { digits.removeFirst(); point -= 1 }
        while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast() }
        if digits.isEmpty { point = 0 }
        return Digits(digits: digits, point: point)
    }

    /// `d.ddde±XX` with `precision` digits after the point (zeros appended when the digits run out).
    static func formatE(_ d: Digits, precision: Int, negative: Bool) -> String {
        var out = negative ? "-" : ""
        out.append(d.digits.isEmpty ? "0" : String(UnicodeScalar(d.digits[0])))
        if precision > 0 {
            out.append(".")
            for i in 1...precision {
                out.append(i < d.digits.count ? String(UnicodeScalar(d.digits[i])) : "0")
            }
        }
        let exponent = d.digits.isEmpty ? 0 : d.point - 1
        out.append(exponent < 0 ? "e-" : "e+")
        let magnitude = abs(exponent)
        out.append(magnitude < 10 ? "0\(magnitude)" : "\(magnitude)")
        return out
    }

    /// `ddd.ddd` with `precision` digits after the point.
    static func formatF(_ d: Digits, precision: Int, negative: Bool) -> String {
        var out = negative ? "-" : ""
        if d.point > 0 {
            for i in 0..<d.point {
                out.append(i < d.digits.count ? String(UnicodeScalar(d.digits[i])) : "0")
            }
        } else {
            out.append("0")
        }
        if precision > 0 {
            out.append(".")
            for i in 1...precision {
                let j = d.point + i - 1
                out.append(j >= 0 && j < d.digits.count ? String(UnicodeScalar(d.digits[j])) : "0")
            }
        }
        return out
    }

    /// Go's %v for a float64 (strconv 'g' with the shortest precision): `1e+06`, `123456`, `0.5`.
    static func formatV(_ value: Double) -> String {
        if let special = special(value) { return special }
        return formatG(shortest(abs(value)), precision: nil, negative: value.sign == .minus)
    }

    /// Go's %.Ng: `HumanSizeWithPrecision` prints sizes this way.
    static func formatG(_ value: Double, precision: Int) -> String {
        if let special = special(value) { return special }
        let p = precision == 0 ? 1 : precision
        return formatG(rounded(abs(value), significant: p), precision: p, negative: value.sign == .minus)
    }

    private static func formatG(_ d: Digits, precision: Int?, negative: Bool) -> String {
        var eprec = precision ?? d.digits.count
        if let p = precision, p > d.digits.count, d.digits.count >= d.point { eprec = d.digits.count }
        if precision == nil { eprec = 6 }
        let exponent = d.point - 1
        if !d.digits.isEmpty && (exponent < -4 || exponent >= eprec) {
            let p = min(precision ?? d.digits.count, d.digits.count)
            return formatE(d, precision: max(p - 1, 0), negative: negative)
        }
        var p = precision ?? d.digits.count
        if p > d.point { p = d.digits.count }
        return formatF(d, precision: max(p - d.point, 0), negative: negative)
    }

    /// encoding/json's float64: plain digits unless tiny or huge, and `e-7` rather than `e-07`.
    static func formatJSON(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        let magnitude = abs(value)
        let d = shortest(magnitude)
        let negative = value.sign == .minus && value != 0
        if magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21) {
            var text = formatE(d, precision: max(d.digits.count - 1, 0), negative: negative)
            let bytes = Array(text.utf8)
            let n = bytes.count
            if n >= 4, bytes[n - 4] == UInt8(ascii: "e"), bytes[n - 3] == UInt8(ascii: "-"), bytes[n - 2] == UInt8(ascii: "0") {
                text = String(decoding: bytes[..<(n - 2)] + [bytes[n - 1]], as: UTF8.self)
            }
            return text
        }
        return formatF(d, precision: max(d.digits.count - d.point, 0), negative: negative)
    }

    static func special(_ value: Double) -> String? {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        return nil
    }

    /// C's printf for one double with a `*` precision; glibc rounds exactly.
    static func cFormat(_ format: String, precision: Int, _ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        let count = withVaList([Int32(precision), value]) { args in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 512, format, args) }
        }
        guard count > 0 else { return "" }
        return String(decoding: buffer[..<min(Int(count), 511)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
