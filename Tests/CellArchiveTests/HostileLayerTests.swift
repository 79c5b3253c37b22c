#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellArchive
import CellCore
import Testing

/// Tarballs built to escape the extraction root. Each test extracts into `<tmp>/a/b/root` so
/// that "../" and "../../" land in directories the test can inspect, and keeps a sentinel
/// directory elsewhere that a symlink or hardlink would aim at.
@Suite struct HostileLayerTests {
    final class Fixture {
        let dir = TemporaryDirectory()
        let outside = TemporaryDirectory()
        var root: String { dir.file("a/b/root") }

        init() throws {
            try FileSystem.createDirectory(root)
            try writeFile(outside.file("secret"), Array("host secret".utf8))
        }

        func extract(_ members: [Member]) throws -> LayerExtractionResult {
            try writeFile(dir.file("layer.tar"), try makeTar(members))
            return try LayerExtractor().extract(TarReader(path: dir.file("layer.tar")), into: root)
        }

        /// Nothing but the layer file and the root's own parents exists outside the root.
        func expectNothingOutside(sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(try FileSystem.contentsOfDirectory(dir.path).sorted() == ["a", "layer.tar"], sourceLocation: sourceLocation)
            #expect(try FileSystem.contentsOfDirectory(dir.file("a")) == ["b"], sourceLocation: sourceLocation)
            #expect(try FileSystem.contentsOfDirectory(dir.file("a/b")) == ["root"], sourceLocation: sourceLocation)
            #expect(try FileSystem.contentsOfDirectory(outside.path) == ["secret"], sourceLocation: sourceLocation)
            #expect(try fileText(outside.file("secret")) == "host secret", sourceLocation: sourceLocation)
            #expect(lstatOf(outside.file("secret"))?.st_nlink == 1, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: ["../escape", "../../escape", "a/../../escape", "./../b/escape", "/../../escape"])
    func dotDotEscapesAreRefused(path: String) throws {
        let fixture = try Fixture()
        let error = #expect(throws: CellError.self) { try fixture.extract([.file(path, "x")]) }
        #expect(error == CellError.invalidInput("layer entry \"\(path)\" escapes the root"))
        try fixture.expectNothingOutside()
    }

    @Test func absolutePathsAreContained() throws {
        let fixture = try Fixture()
        try fixture.extract([.file("/abs/path", "inside"), .file("//etc/x", "e"), .file("./ok/../y", "y")])
        #expect(try fileText("\(fixture.root)/abs/path") == "inside")
        #expect(try fileText("\(fixture.root)/etc/x") == "e")
        #expect(try fileText("\(fixture.root)/y") == "y")
        try fixture.expectNothingOutside()
    }

    @Test func writingThroughASymlinkIsRefused() throws {
        let fixture = try Fixture()
        let error = #expect(throws: CellError.self) {
            try fixture.extract([.symlink("evil", to: fixture.outside.path), .file("evil/file", "pwned")])
        }
        #expect(error == CellError.invalidInput("layer entry \"evil/file\" would be written through symlink \"evil\""))
        try fixture.expectNothingOutside()
    }

    @Test func writingThroughANestedRelativeSymlinkIsRefused() throws {
        let fixture = try Fixture()
        let error = #expect(throws: CellError.self) {
            try fixture.extract([
                .directory("d"), .symlink("d/up", to: "../../.."), .file("d/up/escaped", "x"),
            ])
        }
        #expect(error?.kind == .invalidInput)
        try fixture.expectNothingOutside()
    }

    @Test func symlinksMayPointAnywhere() throws {
        let fixture = try Fixture()
        try fixture.extract([.symlink("etc-link", to: "/etc"), .symlink("up", to: "../../..")])
        #expect(readLink("\(fixture.root)/etc-link") == "/etc")
        #expect(readLink("\(fixture.root)/up") == "../../..")
        try fixture.expectNothingOutside()
    }

    @Test func hardlinkClimbingOutIsRefused() throws {
        let fixture = try Fixture()
        let error = #expect(throws: CellError.self) {
            try fixture.extract([.hardlink("passwd", to: "../../etc/passwd")])
        }
        #expect(error == CellError.invalidInput("layer entry \"passwd\" escapes the root"))
        try fixture.expectNothingOutside()
    }

    @Test func absoluteHardlinkNeverReachesAHostFile() throws {
        let fixture = try Fixture()
        let error = #expect(throws: CellError.self) {
            try fixture.extract([.hardlink("stolen", to: fixture.outside.file("secret"))])
        }
        #expect(error?.kind == .invalidInput)
        #expect(lstatOf("\(fixture.root)/stolen") == nil)
        try fixture.expectNothingOutside()
    }

    @Test func hardlinkThroughASymlinkIsRefused() throws {
        let fixture = try Fixture()
        let error = #expect(throws: CellError.self) {
            try fixture.extract([.symlink("out", to: fixture.outside.path), .hardlink("stolen", to: "out/secret")])
        }
        #expect(error == CellError.invalidInput("layer entry \"stolen\" would be written through symlink \"out\""))
        #expect(lstatOf("\(fixture.root)/stolen") == nil)
        try fixture.expectNothingOutside()
    }

    @Test func hardlinkToASymlinkLinksTheSymlinkItself() throws {
        let fixture = try Fixture()
        try fixture.extract([.symlink("out", to: fixture.outside.file("secret")), .hardlink("copy", to: "out")])
        #expect(readLink("\(fixture.root)/copy") == fixture.outside.file("secret"))
        try fixture.expectNothingOutside()
    }

    @Test func deviceNodesAreSkipped() throws {
        let fixture = try Fixture()
        let result = try fixture.extract([
            Member(entry: TarEntry(path: "dev/sda", kind: .blockDevice, mode: 0o666, deviceMajor: 8, deviceMinor: 0)),
            Member(entry: TarEntry(path: "dev/mem", kind: .characterDevice, mode: 0o666, deviceMajor: 1, deviceMinor: 1)),
            Member(entry: TarEntry(path: "dev/kmsg", kind: .characterDevice, mode: 0o666, deviceMajor: 0, deviceMinor: 11)),
            .file("dev/ok", "fine"),
        ])
        #expect(result.devicesSkipped == 3)
        #expect(try FileSystem.contentsOfDirectory("\(fixture.root)/dev") == ["ok"])
        try fixture.expectNothingOutside()
    }

    @Test func whiteoutCannotClimbOut() throws {
        let fixture = try Fixture()
        let error = #expect(throws: CellError.self) { try fixture.extract([.file("x/.wh...", "")]) }
        #expect(error?.kind == .invalidInput)
        let escape = #expect(throws: CellError.self) { try fixture.extract([.file("../.wh.root", "")]) }
        #expect(escape?.kind == .invalidInput)
        try fixture.expectNothingOutside()
    }

    @Test func whiteoutThroughASymlinkIsRefused() throws {
        let fixture = try Fixture()
        let error = #expect(throws: CellError.self) {
            try fixture.extract([.symlink("out", to: fixture.outside.path), .file("out/.wh.secret", "")])
        }
        #expect(error?.kind == .invalidInput)
        try fixture.expectNothingOutside()
    }

    @Test func flatteningWhiteoutThroughASymlinkIsRefused() throws {
        let fixture = try Fixture()
        try writeFile(fixture.dir.file("layer.tar"),
                      try makeTar([.symlink("out", to: fixture.outside.path), .file("out/.wh.secret", "")]))
        let error = #expect(throws: CellError.self) {
            try LayerExtractor(whiteouts: .apply).extract(TarReader(path: fixture.dir.file("layer.tar")), into: fixture.root)
        }
        #expect(error?.kind == .invalidInput)
        try fixture.expectNothingOutside()
    }
}
