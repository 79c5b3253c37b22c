#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellArchive
import CellCore
import Testing

/// Extraction of well-formed layers: every kind of entry and its metadata lands as stored.
@Suite struct LayerExtractorTests {
    static func extract(_ members: [Member], into root: String, overlay: Bool = true,
                        whiteouts: LayerExtractor.WhiteoutHandling? = nil, sizeLimit: Int64? = nil) throws -> LayerExtractionResult {
        let scratch = TemporaryDirectory()
        try writeFile(scratch.file("layer.tar"), try makeTar(members, compression: .gzip()))
        return try LayerExtractor(whiteouts: whiteouts ?? (overlay ? .overlay : .apply), sizeLimit: sizeLimit)
            .extract(TarReader(path: scratch.file("layer.tar")), into: root)
    }

    /// A size limit counts the files' declared sizes and stops the extraction past it.
    @Test func aSizeLimitStopsAnArchiveThatUnpacksToMore() throws {
        let dir = TemporaryDirectory()
        let members: [Member] = [.file("a", String(repeating: "x", count: 600)), .file("b", String(repeating: "y", count: 600))]
        #expect(try Self.extract(members, into: dir.file("fits"), sizeLimit: 1200).bytesWritten == 1200)
        #expect(throws: CellError.self) { try Self.extract(members, into: dir.file("over"), sizeLimit: 1000) }
    }

    @Test func extractsEveryKindWithItsMetadata() throws {
        let dir = TemporaryDirectory()
        let root = dir.file("root")
        let result = try Self.extract(TarRoundTripTests.allKinds, into: root)
        #expect(result.entriesExtracted == 6)
        #expect(result.devicesSkipped == 2)
        #expect(result.bytesWritten == 300_005)

        let passwd = try #require(lstatOf("\(root)/etc/passwd"))
        #expect(passwd.st_mode & 0o7777 == 0o4711)
        #expect(passwd.st_uid == 1000 && passwd.st_gid == 2000)
        #expect(passwd.st_mtim.tv_sec == 1_700_000_000 && passwd.st_mtim.tv_nsec == 123_456_789)
        #expect(passwd.st_nlink == 2)
        #expect(try fileText("\(root)/etc/passwd") == "hello")
        #expect(getExtendedAttribute("\(root)/etc/passwd", "security.capability") == TarRoundTripTests.capability)
        #expect(getExtendedAttribute("\(root)/etc/passwd", "user.comment") == Array("hi".utf8))
        #expect(lstatOf("\(root)/etc/hard")?.st_ino == passwd.st_ino)

        let etc = try #require(lstatOf("\(root)/etc"))
        #expect(etc.st_mode & 0o7777 == 0o1755)
        // Directory times are set after their children were created.
        #expect(etc.st_mtim.tv_sec == 1_700_000_000 && etc.st_mtim.tv_nsec == 123_456_789)

        #expect(readLink("\(root)/etc/link") == "../usr/bin/x")
        #expect(lstatOf("\(root)/etc/link")?.st_mtim.tv_sec == 1_700_000_000)
        let fifo = try #require(lstatOf("\(root)/run/fifo"))
        #expect(fifo.st_mode & S_IFMT == S_IFIFO && fifo.st_mode & 0o7777 == 0o600)
        #expect(fifo.st_uid == 7 && fifo.st_gid == 8)
        #expect(lstatOf("\(root)/dev/null") == nil)
        #expect(lstatOf("\(root)/dev/sda") == nil)
        #expect(try FileSystem.readFile("\(root)/big/épée-名前") == TarRoundTripTests.allKinds[7].data)
    }

    @Test func laterEntriesReplaceEarlierOnes() throws {
        let dir = TemporaryDirectory()
        let root = dir.file("root")
        try Self.extract([
            .file("a", "first"), .file("a", "second"),
            .directory("d"), .file("d/x", "x"), .symlink("d", to: "elsewhere"),
            .symlink("s", to: "t"), .directory("s"), .file("s/inside", "i"),
        ], into: root)
        #expect(try fileText("\(root)/a") == "second")
        #expect(readLink("\(root)/d") == "elsewhere")
        #expect(try fileText("\(root)/s/inside") == "i")
    }

    @Test func impliedParentsAreCreated() throws {
        let dir = TemporaryDirectory()
        let root = dir.file("root")
        try Self.extract([.file("usr/local/bin/tool", "#!/bin/sh\n", mode: 0o755)], into: root)
        #expect(lstatOf("\(root)/usr/local")?.st_mode == S_IFDIR | 0o755)
        #expect(lstatOf("\(root)/usr/local/bin/tool")?.st_mode == S_IFREG | 0o755)
    }

    @Test func whiteoutsBecomeOverlayMarkers() throws {
        let dir = TemporaryDirectory()
        let root = dir.file("root")
        let result = try Self.extract([
            .directory("etc"), .file("etc/.wh.motd", ""), .file("gone/.wh.deep", ""),
            .directory("var/cache"), .file("var/cache/.wh..wh..opq", ""), .file("var/cache/new", "n"),
            .file("etc/.wh..wh.plnk", ""),
        ], into: root)
        #expect(result.whiteoutsApplied == 3)
        let motd = try #require(lstatOf("\(root)/etc/motd"))
        #expect(motd.st_mode & S_IFMT == S_IFCHR && motd.st_rdev == 0)
        #expect((lstatOf("\(root)/gone/deep")?.st_mode ?? 0) & S_IFMT == S_IFCHR)
        #expect(getExtendedAttribute("\(root)/var/cache", "trusted.overlay.opaque") == Array("y".utf8))
        #expect(try fileText("\(root)/var/cache/new") == "n")
        #expect(lstatOf("\(root)/etc/.wh.motd") == nil)
        #expect(lstatOf("\(root)/var/cache/.wh..wh..opq") == nil)
        #expect(lstatOf("\(root)/etc/.wh..wh.plnk") == nil)
    }

    /// A tar that is no layer (a build context, `cp`'s archive): `.wh.` names are files.
    @Test func whiteoutNamesAreFilesInATarThatIsNoLayer() throws {
        let dir = TemporaryDirectory()
        let root = dir.file("root")
        let result = try Self.extract([
            .file("etc/motd", "hi"), .file("etc/.wh.motd", "w"), .file("var/cache/old", "o"), .file("var/cache/.wh..wh..opq", "q"),
        ], into: root, whiteouts: .keptAsFiles)
        #expect(result.whiteoutsApplied == 0)
        #expect(try fileText("\(root)/etc/motd") == "hi" && fileText("\(root)/etc/.wh.motd") == "w")
        #expect(try fileText("\(root)/var/cache/old") == "o" && fileText("\(root)/var/cache/.wh..wh..opq") == "q")
    }

    @Test func whiteoutsDeleteWhenFlattening() throws {
        let dir = TemporaryDirectory()
        let root = dir.file("root")
        try Self.extract([
            .file("etc/motd", "hi"), .file("etc/keep", "k"), .file("var/cache/old", "o"), .file("var/cache/sub/old", "o"),
            .directory("tree/a/b"), .file("tree/a/b/c", "c"),
        ], into: root, overlay: false)
        let result = try Self.extract([
            .file("etc/.wh.motd", ""), .file("tree/.wh.a", ""), .file("nothing/.wh.here", ""),
            .file("var/cache/new", "n"), .file("var/cache/.wh..wh..opq", ""),
        ], into: root, overlay: false)
        #expect(lstatOf("\(root)/etc/motd") == nil)
        #expect(try fileText("\(root)/etc/keep") == "k")
        #expect(lstatOf("\(root)/tree/a") == nil)
        #expect(lstatOf("\(root)/nothing") == nil)
        // The opaque marker hides the layers below, not its own layer's files.
        #expect(lstatOf("\(root)/var/cache/old") == nil)
        #expect(lstatOf("\(root)/var/cache/sub") == nil)
        #expect(try fileText("\(root)/var/cache/new") == "n")
        #expect(result.whiteoutsApplied == 3)
    }

    @Test func forgedOverlayAttributesAreDropped() throws {
        let dir = TemporaryDirectory()
        let root = dir.file("root")
        var entry = Member.directory("d")
        entry.entry.extendedAttributes = [.init(name: "trusted.overlay.redirect", value: Array("/etc".utf8))]
        let result = try Self.extract([entry], into: root)
        #expect(result.extendedAttributesSkipped == 1)
        #expect(getExtendedAttribute("\(root)/d", "trusted.overlay.redirect") == nil)
    }
}
