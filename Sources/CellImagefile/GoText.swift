import CellCore

/// Small text helpers that reproduce Go's standard library behaviour, because Docker's parser
/// is defined by what Go's `unicode.IsSpace`, `strings.TrimSpace` and `strconv.Quote` do.
enum GoText {
    /// Go's `unicode.IsSpace`: ASCII white space plus NEL, NBSP and the Unicode `White_Space` set.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0: return true
        case 0..<0x80: return false
        default: return scalar.properties.isWhitespace
        }
    }

    /// The characters of Go's `[\t\v\f\r ]` regular-expression class (token separators).
    static func isTokenSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\u{0B}", "\u{0C}", "\r", " ": return true
        default: return false
        }
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.numericType == .decimal
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func trimSpace(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var start = 0
        var end = scalars.count
        while start < end && isSpace(scalars[start]) { start += 1 }
        while end > start && isSpace(scalars[end - 1]) { end -= 1 }
        return String(scalars: scalars[start..<end])
    }

    static func trimLeadingSpace(_ scalars: ArraySlice<Unicode.Scalar>) -> ArraySlice<Unicode.Scalar> {
        var slice = scalars
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        return slice
    }

    /// Splits on runs of `[\t\v\f\r ]`, like Go's `regexp.Split(s, limit)` with that class.
    static func splitOnTokenSpace(_ text: String, limit: Int = -1) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var parts: [String] = []
        var start = 0
        var index = 0
        while index < scalars.count {
            if limit > 0 && parts.count == limit - 1 { break }
            if isTokenSpace(scalars[index]) {
                var end = index
                while end < scalars.count && isTokenSpace(scalars[end]) { end += 1 }
                parts.append(String(scalars: scalars[start..<index]))
                start = end
                index = end
            } else {
                index += 1
            }
        }
        parts.append(String(scalars: scalars[start...]))
        return parts
    }

    /// Go's `strconv.Quote`, which BuildKit's dump uses for every value.
    static func quote(_ text: String) -> String { GoQuote.quote(text) }
}

extension String {
    /// Builds a string from a run of scalars (the parsers work on scalar arrays for index arithmetic).
    init<S: Sequence>(scalars: S) where S.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        self = String(view)
    }
}
