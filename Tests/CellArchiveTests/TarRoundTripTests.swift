#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellArchive
import CellCore
import Testing

@Suite struct TarRoundTripTests {
    static let capability: [UInt8] = [0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

    static var allKinds: [Member] {
        let mtime = Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789)
        return [
            Member(entry: TarEntry(path: "etc/", kind: .directory, mode: 0o1755, uid: 0, gid: 0,
                                   userName: "root", groupName: "root", modificationTime: mtime)),
            Member(entry: TarEntry(path: "etc/passwd", kind: .regular, size: 5, mode: 0o4711, uid: 1000, gid: 2000,
                                   userName: "alice", groupName: "staff", modificationTime: mtime,
                                   extendedAttributes: [.init(name: "security.capability", value: capability),
                                                        .init(name: "user.comment", value: Array("hi".utf8))]),
                   data: Array("hello".utf8)),
            Member(entry: TarEntry(path: "etc/hard", kind: .hardlink, uid: 1000, gid: 2000, modificationTime: mtime,
                                   linkTarget: "etc/passwd")),
            Member(entry: TarEntry(path: "etc/link", kind: .symlink, mode: 0o777, modificationTime: mtime,
                                   linkTarget: "../usr/bin/x")),
            Member(entry: TarEntry(path: "dev/null", kind: .characterDevice, mode: 0o666, deviceMajor: 1, deviceMinor: 3)),
            Member(entry: TarEntry(path: "dev/sda", kind: .blockDevice, mode: 0o660, deviceMajor: 8, deviceMinor: 0)),
            Member(entry: TarEntry(path: "run/fifo", kind: .fifo, mode: 0o600, uid: 7, gid: 8)),
            Member(entry: TarEntry(path: "big/épée-名前", kind: .regular, size: 300_000, mode: 0o600),
                   data: (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }),
        ]
    }

    @Test func allKindsAndMetadataSurvive() throws {
        let dir = TemporaryDirectory()
        let written = Self.allKinds
        try writeFile(dir.file("all.tar"), try makeTar(written))
        let read = try readTar(dir.file("all.tar"))
        #expect(read.count == written.count)
        for (got, want) in zip(read, written) {
            #expect(got.entry == want.entry)
            #expect(got.data == want.data)
        }
        #expect(try TarReader(path: dir.file("all.tar")).detectedCompression == .none)
    }

    @Test(arguments: [OutputCompression.gzip(), .gzip(level: 1), .zstd(), .zstd(level: 19)])
    func compressedTarRoundTrips(compression: OutputCompression) throws {
        let dir = TemporaryDirectory()
        let plain = try makeTar(Self.allKinds)
        let compressed = try makeTar(Self.allKinds, compression: compression)
        #expect(compressed.count < plain.count)
        try writeFile(dir.file("all.tar.x"), compressed)
        let read = try readTar(dir.file("all.tar.x"))
        #expect(read.map(\.entry) == Self.allKinds.map(\.entry))
        #expect(read.map(\.data) == Self.allKinds.map(\.data))
        let reader = try TarReader(path: dir.file("all.tar.x"))
        _ = try reader.next()
        switch compression {
        case .gzip: #expect(reader.detectedCompression == .gzip)
        case .zstd: #expect(reader.detectedCompression == .zstd)
        case .none: break
        }
    }

    @Test func outputIsDeterministic() throws {
        #expect(try makeTar(Self.allKinds, compression: .gzip()) == makeTar(Self.allKinds, compression: .gzip()))
        #expect(try makeTar(Self.allKinds) == makeTar(Self.allKinds))
    }

    @Test func readsFromAFileDescriptorWithoutClosingIt() throws {
        let dir = TemporaryDirectory()
        try writeFile(dir.file("a.tar"), try makeTar([.file("a", "x")]))
        let fd = open(dir.file("a.tar"), O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        do {
            let reader = try TarReader(fileDescriptor: fd)
            #expect(try reader.next()?.path == "a")
            #expect(try reader.next() == nil)
        }
        #expect(fcntl(fd, F_GETFD) != -1)
    }

    @Test func emptyInputIsAnEmptyArchive() throws {
        let dir = TemporaryDirectory()
        try writeFile(dir.file("empty.tar"), [])
        #expect(try TarReader(path: dir.file("empty.tar")).next() == nil)
        try writeFile(dir.file("zeros.tar"), [UInt8](repeating: 0, count: 1024))
        #expect(try TarReader(path: dir.file("zeros.tar")).next() == nil)
    }

    @Test func sinkErrorsSurfaceFromTheWriter() throws {
        struct Full: Error {}
        let writer = try TarWriter { _ in throw CellError.system("write blob: No space left on device") }
        let big = [UInt8](repeating: 1, count: 4 * 1024 * 1024)
        #expect(throws: CellError.system("write blob: No space left on device")) {
            try writer.append(TarEntry(path: "big", kind: .regular, size: Int64(big.count)))
            try writer.writeData(big)
            try writer.finish()
        }
    }

    @Test func wrongDataSizesAreRefused() throws {
        let writer = try TarWriter { _ in }
        try writer.append(TarEntry(path: "f", kind: .regular, size: 3))
        #expect(throws: CellError.self) { try writer.writeData([1, 2, 3, 4]) }
        try writer.writeData([1, 2])
        let error = #expect(throws: CellError.self) { try writer.finish() }
        #expect(error?.message == "tar entry \"f\" was given 2 of its 3 bytes")
    }
}
