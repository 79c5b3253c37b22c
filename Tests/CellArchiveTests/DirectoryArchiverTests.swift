#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
@testable import CellArchive
import CellCore
import Testing

@Suite struct DirectoryArchiverTests {
    /// An overlay upperdir-like tree with every kind of file.
    static func makeTree(_ root: String) throws {
        try FileSystem.createDirectory("\(root)/etc")
        try FileSystem.createDirectory("\(root)/var/cache")
        try writeFile("\(root)/etc/b", Array("bee".utf8))
        try writeFile("\(root)/etc/a", Array("ay".utf8))
        #expect(chown("\(root)/etc/a", 1000, 2000) == 0)
        #expect(chmod("\(root)/etc/a", 0o4750) == 0)
        #expect(link("\(root)/etc/a", "\(root)/etc/z-hard") == 0)
        #expect(symlink("../usr/lib", "\(root)/lib") == 0)
        #expect(mkfifo("\(root)/etc/fifo", 0o600) == 0)
        #expect(mknod("\(root)/etc/deleted", S_IFCHR | 0o600, 0) == 0)
        #expect(ExtendedAttributeCalls.set(path: "\(root)/etc/b", name: "user.note", value: [1, 2, 3]) == 0)
        #expect(ExtendedAttributeCalls.set(path: "\(root)/var/cache", name: "trusted.overlay.opaque", value: [0x79]) == 0)
        try writeFile("\(root)/var/cache/fresh", Array("f".utf8))
        var times = [timespec(tv_sec: 2_000_000_000, tv_nsec: 5), timespec(tv_sec: 2_000_000_000, tv_nsec: 5)]
        #expect(utimensat(AT_FDCWD, "\(root)/etc/b", &times, 0) == 0)
    }

    static func archive(_ root: String, _ archiver: DirectoryArchiver) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let writer = try TarWriter { bytes.append(contentsOf: $0) }
        try archiver.archive(root, into: writer)
        try writer.finish()
        return bytes
    }

    @Test func archivesSortedWithMetadataAndOverlayWhiteouts() throws {
        let dir = TemporaryDirectory()
        try Self.makeTree(dir.file("upper"))
        let clamp = Timestamp(seconds: 1_800_000_000)
        let tar = try Self.archive(dir.file("upper"), DirectoryArchiver(convertOverlayWhiteouts: true, clampModificationTime: clamp))
        try writeFile(dir.file("layer.tar"), tar)
        let members = try readTar(dir.file("layer.tar"))
        #expect(members.map(\.entry.path) == [
            // Sorted by the names on disk: "deleted" is the whiteout's.
            "etc/", "etc/a", "etc/b", "etc/.wh.deleted", "etc/fifo", "etc/z-hard", "lib",
            "var/", "var/cache/", "var/cache/.wh..wh..opq", "var/cache/fresh",
        ])
        let byPath = Dictionary(uniqueKeysWithValues: members.map { ($0.entry.path, $0) })
        let a = try #require(byPath["etc/a"])
        #expect(a.entry.mode == 0o4750 && a.entry.uid == 1000 && a.entry.gid == 2000 && a.data == Array("ay".utf8))
        #expect(byPath["etc/z-hard"]?.entry.kind == .hardlink)
        #expect(byPath["etc/z-hard"]?.entry.linkTarget == "etc/a")
        #expect(byPath["etc/b"]?.entry.extendedAttributes == [.init(name: "user.note", value: [1, 2, 3])])
        #expect(byPath["etc/b"]?.entry.modificationTime == clamp)
        #expect(byPath["etc/fifo"]?.entry.kind == .fifo)
        #expect(byPath["lib"]?.entry.linkTarget == "../usr/lib")
        // The overlay attribute itself is not carried: the marker entry says it.
        #expect(byPath["var/cache/"]?.entry.extendedAttributes == [])
        // Byte-for-byte the same on a second run.
        #expect(try Self.archive(dir.file("upper"), DirectoryArchiver(convertOverlayWhiteouts: true, clampModificationTime: clamp)) == tar)
    }

    @Test func layerRoundTripsThroughTheExtractor() throws {
        let dir = TemporaryDirectory()
        try Self.makeTree(dir.file("upper"))
        try writeFile(dir.file("layer.tar"), try Self.archive(dir.file("upper"), DirectoryArchiver(convertOverlayWhiteouts: true)))
        try LayerExtractor(whiteouts: .overlay).extract(TarReader(path: dir.file("layer.tar")), into: dir.file("lower"))
        let again = try Self.archive(dir.file("lower"), DirectoryArchiver(convertOverlayWhiteouts: true))
        try writeFile(dir.file("again.tar"), again)
        let first = try readTar(dir.file("layer.tar")), second = try readTar(dir.file("again.tar"))
        #expect(first.map(\.entry) == second.map(\.entry))
        #expect(first.map(\.data) == second.map(\.data))
        #expect(again == (try FileSystem.readFile(dir.file("layer.tar"))))
        #expect(lstatOf(dir.file("lower/etc/deleted"))?.st_rdev == 0)
        #expect(getExtendedAttribute(dir.file("lower/var/cache"), "trusted.overlay.opaque") == [0x79])
    }

    @Test func withoutConversionDevicesStayDevices() throws {
        let dir = TemporaryDirectory()
        try Self.makeTree(dir.file("upper"))
        try writeFile(dir.file("layer.tar"), try Self.archive(dir.file("upper"), DirectoryArchiver()))
        let members = try readTar(dir.file("layer.tar"))
        #expect(members.first { $0.entry.path == "etc/deleted" }?.entry.kind == .characterDevice)
        #expect(!members.contains { $0.entry.path.contains(".wh.") })
    }

    /// A running container changes its tree while it is read (a commit with --pause=false):
    /// the skip hook runs between the listing's stat and the reading, where the race is.
    @Test func entriesThatVanishOrChangeMidWalkAreLeftOutOrReadWhole() throws {
        let dir = TemporaryDirectory()
        let root = dir.file("upper")
        try FileSystem.createDirectory("\(root)/gone-dir/inner")
        try writeFile("\(root)/gone-file", Array("x".utf8))
        #expect(symlink("target", "\(root)/gone-link") == 0)
        try writeFile("\(root)/swapped", Array("short".utf8))
        try writeFile("\(root)/stays", Array("here".utf8))
        let replacement = dir.file("replacement")
        try writeFile(replacement, Array("a longer replacement".utf8))
        let archiver = DirectoryArchiver(skip: { path, _ in
            switch path {
            case "gone-dir": _ = rmdir("\(root)/gone-dir/inner"); _ = rmdir("\(root)/gone-dir")
            case "gone-file": _ = unlink("\(root)/gone-file")
            case "gone-link": _ = unlink("\(root)/gone-link")
            // Replaced by rename after its stat: the new file's header and bytes go together.
            case "swapped": _ = rename(replacement, "\(root)/swapped")
            default: break
            }
            return false
        })
        try writeFile(dir.file("layer.tar"), try Self.archive(root, archiver))
        let members = try readTar(dir.file("layer.tar"))
        #expect(members.map(\.entry.path) == ["stays", "swapped"])
        #expect(members.last?.entry.size == 20 && members.last?.data == Array("a longer replacement".utf8))
    }
}
