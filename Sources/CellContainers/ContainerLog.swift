#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// Reads a container's json-file log (`{"log":"...","stream":"stdout","time":"..."}` per line)
/// without a JSON library: the monitor writes exactly this shape, and logs can be large.
public struct ContainerLogEntry: Sendable {
    public var stream: Stream
    public var time: Timestamp
    public var text: [UInt8]

    public enum Stream: Sendable { case stdout, stderr }
}

public enum ContainerLog {
    public static func path(of container: Container) -> String { "\(container.directory)/container.log" }

    /// Parses one log line; nil for anything malformed (a torn last line after a crash).
    /// Not generic on purpose: a generic public function is called unspecialized from another
    /// module, and that made `cell logs` ~100x slower than reading the file.
    public static func parse(line: ArraySlice<UInt8>) -> ContainerLogEntry? {
        let prefix = Array(#"{"log":""#.utf8)
        guard line.count > prefix.count, line.starts(with: prefix) else { return nil }
        var index = line.startIndex + prefix.count
        var text: [UInt8] = []
        text.reserveCapacity(line.count)
        while index < line.endIndex {
            let byte = line[index]
            if byte == 0x22 { break }
            if byte == 0x5c {
                index += 1
                guard index < line.endIndex else { return nil }
                switch line[index] {
                case 0x6e: text.append(0x0a)
                case 0x74: text.append(0x09)
                case 0x72: text.append(0x0d)
                case 0x62: text.append(0x08)
                case 0x66: text.append(0x0c)
                case 0x75:
                    guard index + 4 < line.endIndex, var scalar = hex(line[(index + 1)...(index + 4)]) else { return nil }
                    index += 4
                    // A surrogate pair.
                    if scalar >= 0xd800 && scalar < 0xdc00, index + 6 < line.endIndex, line[index + 1] == 0x5c,
                       line[index + 2] == 0x75, let low = hex(line[(index + 3)...(index + 6)]) {
                        scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                        index += 6
                    }
                    text.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{fffd}")).utf8))
                default: text.append(line[index])
                }
            } else {
                text.append(byte)
            }
            index += 1
        }
        let rest = line[index...]
        let stream: ContainerLogEntry.Stream = rest.starts(with: Array(#"","stream":"stderr""#.utf8)) ? .stderr : .stdout
        guard let timeStart = firstRange(of: Array(#""time":""#.utf8), in: rest) else { return nil }
        var timeEnd = timeStart
        while timeEnd < line.endIndex && line[timeEnd] != 0x22 { timeEnd += 1 }
        guard let time = Timestamp(rfc3339: String(decoding: line[timeStart..<timeEnd], as: UTF8.self)) else { return nil }
        return ContainerLogEntry(stream: stream, time: time, text: text)
    }

    static func hex<Bytes: Collection>(_ digits: Bytes) -> UInt32? where Bytes.Element == UInt8 {
        var value: UInt32 = 0
        for digit in digits {
            value <<= 4
            switch digit {
            case 0x30...0x39: value |= UInt32(digit - 0x30)
            case 0x61...0x66: value |= UInt32(digit - 0x57)
            case 0x41...0x46: value |= UInt32(digit - 0x37)
            default: return nil
            }
        }
        return value
    }

    /// The index just past `needle` in `haystack`.
    static func firstRange<Bytes: RandomAccessCollection>(of needle: [UInt8], in haystack: Bytes) -> Int? where Bytes.Element == UInt8, Bytes.Index == Int {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        while index <= haystack.endIndex - needle.count {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index + needle.count
            }
            index += 1
        }
        return nil
    }
}
