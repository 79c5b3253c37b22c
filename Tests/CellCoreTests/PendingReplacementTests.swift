#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore
import Testing

@Suite struct PendingReplacementTests {
    /// A fresh private directory, removed by the caller.
    static func directory() throws -> String {
        try FileSystem.makeTemporaryDirectory(in: "/tmp", prefix: "cell-pending-test")
    }

    @Test func theOldContentStaysUntilReplaceAndNothingIsLeftBeside() throws {
        let directory = try Self.directory()
        defer { try? FileSystem.removeTree(directory) }
        let path = "\(directory)/state"
        try FileSystem.writeAtomically(Array("old".utf8), to: path)
        let pending = try PendingReplacement(Array("new".utf8), for: path)
        #expect(try FileSystem.readFile(path) == Array("old".utf8))
        #expect(try FileSystem.contentsOfDirectory(directory).count == 2)
        try pending.replace()
        #expect(try FileSystem.readFile(path) == Array("new".utf8))
        #expect(try FileSystem.contentsOfDirectory(directory) == ["state"])
    }

    @Test func discardLeavesTheFileAsItWas() throws {
        let directory = try Self.directory()
        defer { try? FileSystem.removeTree(directory) }
        let path = "\(directory)/state"
        try FileSystem.writeAtomically(Array("old".utf8), to: path)
        let pending = try PendingReplacement(Array("new".utf8), for: path, durable: false)
        pending.discard()
        #expect(try FileSystem.readFile(path) == Array("old".utf8))
        #expect(try FileSystem.contentsOfDirectory(directory) == ["state"])
    }

    @Test func aReplaceThatFailsLeavesNoTemporaryFile() throws {
        let directory = try Self.directory()
        defer { try? FileSystem.removeTree(directory) }
        // A directory where the file should be: rename(2) refuses to put a file over it.
        try FileSystem.createDirectory("\(directory)/state")
        let pending = try PendingReplacement(Array("new".utf8), for: "\(directory)/state")
        var failure: CellError?
        do { try pending.replace() } catch let error as CellError { failure = error }
        #expect(failure?.message.hasPrefix("rename ") == true)
        #expect(try FileSystem.contentsOfDirectory(directory) == ["state"])
    }
}
