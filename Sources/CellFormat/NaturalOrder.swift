/// The order the Docker CLI sorts some of its lines in (`port`'s, through fvbommel/sortorder):
/// runs of digits compare as numbers (`80/tcp` before `443/tcp`), everything else byte by
/// byte, and a digit sorts before any other byte (`0.0.0.0:80` before `[::]:80`).
public enum NaturalOrder {
    public static func isLess(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8)
        let b = Array(right.utf8)
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            let digitA = isDigit(a[i])
            let digitB = isDigit(b[j])
            if digitA != digitB { return digitA }
            if !digitA {
                if a[i] != b[j] { return a[i] < b[j] }
                i += 1
                j += 1
                continue
            }
            // Two numbers: leading zeros aside, the shorter is smaller, then the digits decide,
            // then the one written with fewer zeros.
            let zerosEndA = skip(a, from: i) { $0 == UInt8(ascii: "0") }
            let zerosEndB = skip(b, from: j) { $0 == UInt8(ascii: "0") }
            let endA = skip(a, from: zerosEndA, while: isDigit)
            let endB = skip(b, from: zerosEndB, while: isDigit)
            if endA - zerosEndA != endB - zerosEndB { return endA - zerosEndA < endB - zerosEndB }
            if !a[zerosEndA..<endA].elementsEqual(b[zerosEndB..<endB]) {
                return a[zerosEndA..<endA].lexicographicallyPrecedes(b[zerosEndB..<endB])
            }
            if zerosEndA - i != zerosEndB - j { return zerosEndA - i < zerosEndB - j }
            i = endA
            j = endB
        }
        // Equal as far as the shorter goes: it comes first.
        return a.count - i < b.count - j
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func skip(_ bytes: [UInt8], from start: Int, while matches: (UInt8) -> Bool) -> Int {
        var index = start
        while index < bytes.count && matches(bytes[index]) { index += 1 }
        return index
    }
}
