import CellArchive
import CellCore
import Testing

@Suite struct RawStreamTests {
    static let payload: [UInt8] = (0..<1_000_000).map { UInt8(truncatingIfNeeded: ($0 / 3) &* 31) }

    static func compress(_ bytes: [UInt8], _ compression: OutputCompression) throws -> [UInt8] {
        var out: [UInt8] = []
        let compressor = try StreamCompressor(compression: compression) { out.append(contentsOf: $0) }
        // Uneven chunks: the compressor must not care how the input is cut.
        var offset = 0
        var step = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + step)
            try compressor.write(Array(bytes[offset..<end]))
            offset = end
            step = step * 3 + 1
        }
        try compressor.finish()
        return out
    }

    static func decompress(_ path: String) throws -> (bytes: [UInt8], compression: Compression) {
        let reader = try RawStreamReader(path: path)
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return (out, try reader.detectedCompression)
    }

    @Test(arguments: [
        (OutputCompression.gzip(), Compression.gzip), (.gzip(level: 9), .gzip),
        (.zstd(), .zstd), (.zstd(level: 3), .zstd), (.none, .none),
    ])
    func roundTrips(compression: OutputCompression, expected: Compression) throws {
        let dir = TemporaryDirectory()
        let compressed = try Self.compress(Self.payload, compression)
        if expected != .none { #expect(compressed.count < Self.payload.count / 4) }
        try writeFile(dir.file("blob"), compressed)
        let (bytes, detected) = try Self.decompress(dir.file("blob"))
        #expect(bytes == Self.payload)
        #expect(detected == expected)
    }

    @Test func gzipOutputHasNoTimestampAndNoTrailingPadding() throws {
        let compressed = try Self.compress(Array("hello".utf8), .gzip())
        #expect(Array(compressed[0..<2]) == [0x1f, 0x8b])
        #expect(Array(compressed[4..<8]) == [0, 0, 0, 0])  // MTIME
        // The trailer ends with ISIZE = 5: nothing after it.
        #expect(Array(compressed.suffix(4)) == [5, 0, 0, 0])
    }

    @Test func emptyStreamReadsAsEmpty() throws {
        let dir = TemporaryDirectory()
        try writeFile(dir.file("empty"), [])
        #expect(try Self.decompress(dir.file("empty")).bytes.isEmpty)
        try writeFile(dir.file("empty.gz"), try Self.compress([], .gzip()))
        #expect(try Self.decompress(dir.file("empty.gz")).bytes.isEmpty)
    }

    @Test func layerBlobDecompressesToItsTar() throws {
        let dir = TemporaryDirectory()
        let tar = try makeTar([.file("a", "hello")])
        try writeFile(dir.file("layer"), try makeTar([.file("a", "hello")], compression: .zstd()))
        #expect(try Self.decompress(dir.file("layer")).bytes == tar)
    }

    @Test func truncatedStreamIsInvalidInput() throws {
        let dir = TemporaryDirectory()
        let compressed = try Self.compress(Self.payload, .zstd())
        try writeFile(dir.file("cut.zst"), Array(compressed.dropLast(10)))
        let error = #expect(throws: CellError.self) { _ = try Self.decompress(dir.file("cut.zst")) }
        #expect(error?.kind == .invalidInput)
    }
}
