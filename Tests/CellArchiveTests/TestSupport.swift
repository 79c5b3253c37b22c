#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
@testable import CellArchive
import CellCore

/// A fresh directory under /tmp, removed when the test drops it.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/cellarchive-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit { try? FileSystem.removeTree(path) }

    func file(_ name: String) -> String { "\(path)/\(name)" }
}

/// One tar member and its data, for building test archives.
struct Member {
    var entry: TarEntry
    var data: [UInt8] = []

    static func file(_ path: String, _ text: String, mode: UInt32 = 0o644) -> Member {
        let bytes = Array(text.utf8)
        return Member(entry: TarEntry(path: path, kind: .regular, size: Int64(bytes.count), mode: mode), data: bytes)
    }

    static func directory(_ path: String, mode: UInt32 = 0o755) -> Member {
        Member(entry: TarEntry(path: path, kind: .directory, mode: mode))
    }

    static func symlink(_ path: String, to target: String) -> Member {
        Member(entry: TarEntry(path: path, kind: .symlink, mode: 0o777, linkTarget: target))
    }

    static func hardlink(_ path: String, to target: String) -> Member {
        Member(entry: TarEntry(path: path, kind: .hardlink, linkTarget: target))
    }
}

func makeTar(_ members: [Member], compression: OutputCompression = .none) throws -> [UInt8] {
    var bytes: [UInt8] = []
    let writer = try TarWriter(compression: compression) { bytes.append(contentsOf: $0) }
    for member in members {
        try writer.append(member.entry)
        if !member.data.isEmpty { try writer.writeData(member.data) }
    }
    try writer.finish()
    return bytes
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    let handle = try FileDescriptorHandle(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
    try handle.writeAll(bytes)
    try handle.close()
}

/// Every entry of a tar file with its data.
func readTar(_ path: String) throws -> [Member] {
    let reader = try TarReader(path: path)
    var members: [Member] = []
    while let entry = try reader.next() {
        members.append(Member(entry: entry, data: try readAllData(reader)))
    }
    return members
}

func readAllData(_ reader: TarReader) throws -> [UInt8] {
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = try chunk.withUnsafeMutableBytes { try reader.readData(into: $0) }
        if n == 0 { return data }
        data.append(contentsOf: chunk[0..<n])
    }
}

func lstatOf(_ path: String) -> stat? {
    var st = stat()
    return lstat(path, &st) == 0 ? st : nil
}

func readLink(_ path: String) -> String? {
    var buffer = [UInt8](repeating: 0, count: 4096)
    let n = buffer.withUnsafeMutableBufferPointer { readlink(path, $0.baseAddress!, $0.count) }
    guard n >= 0 else { return nil }
    return String(decoding: buffer[0..<n], as: UTF8.self)
}

func getExtendedAttribute(_ path: String, _ name: String) -> [UInt8]? {
    ExtendedAttributeCalls.get(path: path, name: name)
}

func fileText(_ path: String) throws -> String {
    String(decoding: try FileSystem.readFile(path), as: UTF8.self)
}
