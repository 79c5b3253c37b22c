import CellArchive
import CellCore
import Testing

@Suite struct CorruptInputTests {
    @Test func truncatedTarIsInvalidInput() throws {
        let dir = TemporaryDirectory()
        let tar = try makeTar([.file("a", String(repeating: "x", count: 5000)), .file("b", "y")])
        let path = dir.file("rootfs.tar")
        try writeFile(path, Array(tar[0..<2000]))
        let error = #expect(throws: CellError.self) { _ = try readTar(path) }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.hasPrefix("archive \(path) is corrupt or truncated: ") == true)
    }

    @Test func truncatedGzipIsInvalidInput() throws {
        let dir = TemporaryDirectory()
        let noisy = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        let tar = try makeTar([Member(entry: TarEntry(path: "noise", kind: .regular, size: Int64(noisy.count)), data: noisy)],
                              compression: .gzip())
        let path = dir.file("layer.tar.gz")
        try writeFile(path, Array(tar[0..<(tar.count / 2)]))
        let error = #expect(throws: CellError.self) { _ = try readTar(path) }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("corrupt or truncated") == true)
    }

    @Test func garbageIsInvalidInput() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("garbage.tar")
        try writeFile(path, Array(String(repeating: "this is not a tar archive\n", count: 100).utf8))
        let error = #expect(throws: CellError.self) { _ = try readTar(path) }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.hasPrefix("archive \(path) is corrupt or truncated: ") == true)
    }

    @Test func corruptHeaderChecksumIsInvalidInput() throws {
        let dir = TemporaryDirectory()
        var tar = try makeTar([.file("a", "hello"), .file("b", "world")])
        tar[1024 + 100] ^= 0xff  // the second header's mode field: its checksum no longer matches
        let path = dir.file("bad.tar")
        try writeFile(path, tar)
        let error = #expect(throws: CellError.self) { _ = try readTar(path) }
        #expect(error?.kind == .invalidInput)
    }

    @Test func missingFileIsASystemError() {
        let error = #expect(throws: CellError.self) { _ = try TarReader(path: "/nonexistent/cell/rootfs.tar") }
        #expect(error?.kind == .system)
        #expect(error?.message.contains("/nonexistent/cell/rootfs.tar") == true)
    }
}
