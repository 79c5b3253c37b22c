/// MessagePack encoding (https://msgpack.org/ spec), the few types the fluentd log driver sends:
/// nil, booleans, integers, str, bin, arrays, maps and ext. Each value takes its smallest form,
/// as every msgpack library writes it, so a given value always has one byte string. Big-endian
/// throughout. No decoder: cell only ever sends msgpack.
public struct MessagePackWriter {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func appendNil() { bytes.append(0xc0) }

    /// Bytes that are msgpack already (values encoded once and sent many times).
    public mutating func appendRaw(_ encoded: [UInt8]) { bytes += encoded }

    public mutating func append(_ value: Bool) { bytes.append(value ? 0xc3 : 0xc2) }

    /// A non-negative integer: positive fixint, then uint 8, 16, 32, 64.
    public mutating func append(_ value: UInt64) {
        switch value {
        case 0..<0x80: bytes.append(UInt8(value))
        case 0x80...0xff: bytes += [0xcc, UInt8(value)]
        case 0x100...0xffff: bytes.append(0xcd); appendBigEndian(value, count: 2)
        case 0x1_0000...0xffff_ffff: bytes.append(0xce); appendBigEndian(value, count: 4)
        default: bytes.append(0xcf); appendBigEndian(value, count: 8)
        }
    }

    /// A signed integer: as unsigned when not negative (what msgpack libraries do), else
    /// negative fixint, then int 8, 16, 32, 64.
    public mutating func append(_ value: Int64) {
        if value >= 0 { return append(UInt64(value)) }
        let pattern = UInt64(bitPattern: value)
        switch value {
        case -32 ..< 0: bytes.append(UInt8(truncatingIfNeeded: pattern))
        case -0x80 ..< -32: bytes += [0xd0, UInt8(truncatingIfNeeded: pattern)]
        case -0x8000 ..< -0x80: bytes.append(0xd1); appendBigEndian(pattern, count: 2)
        case -0x8000_0000 ..< -0x8000: bytes.append(0xd2); appendBigEndian(pattern, count: 4)
        default: bytes.append(0xd3); appendBigEndian(pattern, count: 8)
        }
    }

    public mutating func append(_ value: Int) { append(Int64(value)) }

    /// A str from text.
    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { appendString($0) }
    }

    /// A str from bytes taken as they are: a container's line is sent as it was written, as
    /// Docker's driver sends it, even where it is not valid UTF-8.
    public mutating func appendString<Bytes: Collection<UInt8>>(_ utf8: Bytes) {
        appendLength(utf8.count, fix: (0xa0, 32), forms: [0xd9, 0xda, 0xdb])
        bytes += utf8
    }

    /// A bin: bytes that are not text.
    public mutating func appendBinary<Bytes: Collection<UInt8>>(_ data: Bytes) {
        appendLength(data.count, fix: nil, forms: [0xc4, 0xc5, 0xc6])
        bytes += data
    }

    public mutating func appendArrayHeader(count: Int) {
        appendLength(count, fix: (0x90, 16), forms: [nil, 0xdc, 0xdd])
    }

    /// The map's `count` key-value pairs follow, key first.
    public mutating func appendMapHeader(count: Int) {
        appendLength(count, fix: (0x80, 16), forms: [nil, 0xde, 0xdf])
    }

    /// An extension value: fixext 1, 2, 4, 8, 16 for those sizes, else ext 8, 16, 32.
    public mutating func appendExtension<Bytes: Collection<UInt8>>(type: Int8, _ data: Bytes) {
        let fixed: [Int: UInt8] = [1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8]
        if let marker = fixed[data.count] {
            bytes.append(marker)
        } else {
            appendLength(data.count, fix: nil, forms: [0xc7, 0xc8, 0xc9])
        }
        bytes.append(UInt8(bitPattern: type))
        bytes += data
    }

    /// A length as a fix form (its marker ORed with the length, below its limit) or, with
    /// 8-, 16- and 32-bit lengths, the first of `forms` that holds it (nil: none of that width).
    private mutating func appendLength(_ length: Int, fix: (marker: UInt8, limit: Int)?, forms: [UInt8?]) {
        if let fix, length < fix.limit { return bytes.append(fix.marker | UInt8(length)) }
        if length <= 0xff, let marker = forms[0] {
            bytes += [marker, UInt8(length)]
        } else if length <= 0xffff, let marker = forms[1] {
            bytes.append(marker)
            appendBigEndian(UInt64(length), count: 2)
        } else {
            // msgpack's lengths stop at 32 bits; nothing cell sends comes near.
            precondition(length <= 0xffff_ffff, "msgpack: a length past 32 bits")
            bytes.append(forms[2]!)
            appendBigEndian(UInt64(length), count: 4)
        }
    }

    private mutating func appendBigEndian(_ value: UInt64, count: Int) {
        for index in stride(from: count - 1, through: 0, by: -1) {
            bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
        }
    }
}
