#if canImport(Glibc)
import Glibc
#endif
import CellCore

/// A fresh directory under /tmp, removed by `remove()`.
final class TemporaryDirectory {
    let path: String

    init(_ prefix: String = "cell-runtime-test") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CellError.system("mkdtemp: \(Syscall.errorString(errno))")
        }
        path = String(cString: result)
    }

    func remove() {
        try? FileSystem.removeTree(path)
    }

    func write(_ text: String, to relative: String, mode: mode_t = 0o644) throws {
        let full = "\(path)/\(relative)"
        try FileSystem.createDirectory(FileSystem.dirname(of: full))
        try FileSystem.writeAtomically(Array(text.utf8), to: full, mode: mode)
    }

    func read(_ relative: String) throws -> String {
        String(decoding: try FileSystem.readFile("\(path)/\(relative)"), as: UTF8.self)
    }
}
