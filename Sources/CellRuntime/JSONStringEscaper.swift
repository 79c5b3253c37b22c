/// JSON string escaping as Go's encoding/json does it, which is what Docker's json-file holds:
/// quotes, backslashes and control characters escaped, and <, > and & too; U+2028/2029
/// escaped; each byte that is not part of valid UTF-8 written as U+FFFD.
///
/// Written for the log's hot path (hundreds of MB/s through one monitor): raw pointers, no
/// allocation, no global table, and eight plain ASCII bytes copied at a time.
enum JSONStringEscaper {
    /// The most one input byte becomes (a control character's `\u00XX`).
    static let maximumExpansion = 6

    /// Escapes `input` into `output`, which has room for `input.count * maximumExpansion`
    /// bytes; returns how many it wrote.
    static func escape(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) -> Int {
        guard let base = input.baseAddress else { return 0 }
        let count = input.count
        var index = 0, written = 0
        while index < count {
            if count - index >= 8 {
                let block = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                if isPlain(block) {
                    UnsafeMutableRawPointer(output + written).storeBytes(of: block, as: UInt64.self)
                    index += 8
                    written += 8
                    continue
                }
            }
            let byte = base[index]
            if byte < 0x80 {
                written += escapeASCII(byte, into: output + written)
                index += 1
                continue
            }
            let length = validSequenceLength(input, at: index)
            if length == 0 {
                output[written] = 0xef
                output[written + 1] = 0xbf
                output[written + 2] = 0xbd
                written += 3
                index += 1
            } else if length == 3 && byte == 0xe2 && base[index + 1] == 0x80 && (base[index + 2] == 0xa8 || base[index + 2] == 0xa9) {
                written += writeUnicodeEscape(base[index + 2] == 0xa8 ? 0x2028 : 0x2029, into: output + written)
                index += 3
            } else {
                (output + written).update(from: base + index, count: length)
                written += length
                index += length
            }
        }
        return written
    }

    /// True when none of the eight bytes needs escaping: all ASCII, none below a space, none of
    /// `"`, `\`, `<`, `>`, `&` (SWAR tests: a byte's high bit marks a match).
    @inline(__always)
    private static func isPlain(_ block: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        if block & highs != 0 { return false }
        @inline(__always) func hasZeroByte(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highs }
        let belowSpace = (block &- ones &* 0x20) & ~block & highs
        let special = hasZeroByte(block ^ (ones &* 0x22)) | hasZeroByte(block ^ (ones &* 0x5c))
            | hasZeroByte(block ^ (ones &* 0x3c)) | hasZeroByte(block ^ (ones &* 0x3e)) | hasZeroByte(block ^ (ones &* 0x26))
        return belowSpace | special == 0
    }

    @inline(__always)
    private static func escapeASCII(_ byte: UInt8, into output: UnsafeMutablePointer<UInt8>) -> Int {
        let backslash: UInt8 = 0x5c
        switch byte {
        case 0x22, 0x5c:
            output[0] = backslash
            output[1] = byte
            return 2
        case 0x0a, 0x0d, 0x09:
            output[0] = backslash
            output[1] = byte == 0x0a ? UInt8(ascii: "n") : byte == 0x0d ? UInt8(ascii: "r") : UInt8(ascii: "t")
            return 2
        case 0x00..<0x20, 0x3c, 0x3e, 0x26:
            return writeUnicodeEscape(UInt16(byte), into: output)
        default:
            output[0] = byte
            return 1
        }
    }

    /// `\uXXXX` in lowercase hex, as Go writes it.
    @inline(__always)
    private static func writeUnicodeEscape(_ code: UInt16, into output: UnsafeMutablePointer<UInt8>) -> Int {
        @inline(__always) func hex(_ nibble: UInt16) -> UInt8 {
            let value = UInt8(nibble & 0xf)
            return value < 10 ? 0x30 + value : 0x57 + value
        }
        output[0] = 0x5c
        output[1] = UInt8(ascii: "u")
        output[2] = hex(code >> 12)
        output[3] = hex(code >> 8)
        output[4] = hex(code >> 4)
        output[5] = hex(code)
        return 6
    }

    /// The length of the valid UTF-8 sequence that starts at `index` (RFC 3629: no overlong
    /// forms, no surrogates, nothing past U+10FFFF); 0 when there is none.
    private static func validSequenceLength(_ input: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let lead = input[index]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xbf
        switch lead {
        case 0xc2...0xdf: length = 2
        case 0xe0: length = 3; low = 0xa0
        case 0xe1...0xec, 0xee...0xef: length = 3
        case 0xed: length = 3; high = 0x9f
        case 0xf0: length = 4; low = 0x90
        case 0xf1...0xf3: length = 4
        case 0xf4: length = 4; high = 0x8f
        default: return 0
        }
        guard index + length <= input.count else { return 0 }
        let second = input[index + 1]
        guard second >= low && second <= high else { return 0 }
        for offset in 2..<length where input[index + offset] & 0xc0 != 0x80 { return 0 }
        return length
    }
}
