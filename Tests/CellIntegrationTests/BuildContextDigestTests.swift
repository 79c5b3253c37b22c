import Foundation
import Testing

/// The rebuild that costs nothing: large context files are not read again while their inode,
/// size and times say they are the same, and a rebuild that changes nothing writes nothing.
@Suite("build: remembered context digests and rebuilds that write nothing")
struct BuildContextDigestTests {
    static let imagefile = "FROM busybox\nWORKDIR /app\nCOPY big.bin small.txt ./\nRUN md5sum big.bin > sum\n"

    /// 512 KiB of `byte`: above the size from which digests are remembered.
    static func bigFile(_ byte: UInt8) -> Data { Data(repeating: byte, count: 512 * 1024) }

    static func digestLines(_ root: CellRoot) -> [String] {
        ((try? String(contentsOfFile: "\(root.path)/build-context-digests", encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    static func inode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.intValue ?? -1
    }

    @Test func aChangedFileIsSeenEvenWithItsSizeAndModificationTimePutBack() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = try Context(root, imagefile: BuildContextDigestTests.imagefile, files: ["small.txt": "s\n"])
        let big = "\(context.path)/big.bin"
        try BuildContextDigestTests.bigFile(0x61).write(to: URL(fileURLWithPath: big))
        let first = try root.cell("build", "-q", "-t", "d:1", context.path)
        try first.expectSuccess()
        // Remembered: the big file's line (the small one is read each time).
        let lines = BuildContextDigestTests.digestLines(root)
        let inode = try BuildContextDigestTests.inode(big)
        #expect(lines.count == 1)
        #expect(lines.first?.split(separator: " ").count == 6)
        #expect(lines.first?.contains(" \(inode) 524288 ") == true)

        #expect(try root.cell("build", "-q", "-t", "d:2", context.path).stdout == first.stdout)

        // Same size, same modification time, other bytes, in place (same inode): the change
        // time gives it away.
        let modified = try FileManager.default.attributesOfItem(atPath: big)[.modificationDate] as! Date
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
        try handle.write(contentsOf: BuildContextDigestTests.bigFile(0x62))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: big)
        let changed = try root.cell("build", "-t", "d:3", context.path)
        try changed.expectSuccess()
        #expect(changed.stderr.contains("COPY big.bin small.txt ./\n"), "the COPY step ran again")
        #expect(!changed.stderr.contains("COPY big.bin small.txt ./ CACHED"))
        let sum = try root.cell("run", "--rm", "d:3", "cat", "/app/sum").stdout
        let expected = try root.cell("run", "--rm", "-v", "\(big):/b:ro", "busybox", "md5sum", "/b").stdout
        #expect(sum.split(separator: " ").first == expected.split(separator: " ").first)
        #expect(BuildContextDigestTests.digestLines(root).count == 2, "the new identity joined the old one")
        try expectNoBuildLeftovers(root)
    }

    @Test func aFullyCachedRebuildWritesNothingToTheStore() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = try Context(root, imagefile: BuildContextDigestTests.imagefile, files: ["small.txt": "s\n"])
        try BuildContextDigestTests.bigFile(0x63).write(to: URL(fileURLWithPath: "\(context.path)/big.bin"))
        let first = try root.cell("build", "-q", "-t", "same:1", context.path)
        try first.expectSuccess()
        // Pushed-to annotations and all: the index is the same file, untouched.
        let index = "\(root.path)/index.json"
        let before = try FileManager.default.attributesOfItem(atPath: index)
        let blobs = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/blobs/sha256").sorted()
        let digests = try FileManager.default.attributesOfItem(atPath: "\(root.path)/build-context-digests")

        let again = try root.cell("build", "-t", "same:1", context.path)
        try again.expectSuccess()
        #expect(again.stderr.components(separatedBy: " CACHED\n").count - 1 == 3)
        let after = try FileManager.default.attributesOfItem(atPath: index)
        #expect(after[.systemFileNumber] as? NSNumber == before[.systemFileNumber] as? NSNumber, "index.json was not replaced")
        #expect(after[.modificationDate] as? Date == before[.modificationDate] as? Date)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/blobs/sha256").sorted() == blobs)
        let digestsAfter = try FileManager.default.attributesOfItem(atPath: "\(root.path)/build-context-digests")
        #expect(digestsAfter[.systemFileNumber] as? NSNumber == digests[.systemFileNumber] as? NSNumber)

        // A new name for the same image is a write, of the index alone.
        let named = try root.cell("build", "-q", "-t", "same:2", context.path)
        #expect(named.stdout == first.stdout)
        #expect(try root.cell("images", "--format", "{{.Tag}}", "same").lines.sorted() == ["1", "2"])
        try expectNoBuildLeftovers(root)
    }

    @Test func aDamagedDigestFileIsIgnoredAndRewritten() throws {
        let root = try CellRoot()
        try root.importBusybox()
        let context = try Context(root, imagefile: BuildContextDigestTests.imagefile, files: ["small.txt": "s\n"])
        let big = "\(context.path)/big.bin"
        try BuildContextDigestTests.bigFile(0x64).write(to: URL(fileURLWithPath: big))
        let attributes = try FileManager.default.attributesOfItem(atPath: big)
        let device = (attributes[.systemNumber] as? NSNumber)?.intValue ?? 0
        // Garbage, NUL bytes, a huge number, and a lie: this very file, said to hash to zeros.
        // The lie can only come from someone who writes the store (root); still, the build
        // must not crash on any of it.
        let junk = "garbage\n\0\0\0\n1 2 3\n99999999999999999999999 1 2 3 4 \(String(repeating: "0", count: 64))\n"
        try junk.write(toFile: "\(root.path)/build-context-digests", atomically: true, encoding: .utf8)
        let built = try root.cell("build", "-q", "-t", "damaged", context.path)
        try built.expectSuccess()
        #expect(try root.cell("run", "--rm", "damaged", "ls", "-l", "/app/big.bin").stdout.contains("524288"))
        let lines = BuildContextDigestTests.digestLines(root)
        let inode = try BuildContextDigestTests.inode(big)
        #expect(lines.contains { $0.hasPrefix("\(device) \(inode) 524288 ") })
        #expect(!lines.contains("garbage"))
        try expectNoBuildLeftovers(root)
    }
}
