#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellImage

/// Options that apply to every verb: where the state lives.
enum GlobalOptions {
    nonisolated(unsafe) static var root: String = {
        if let value = getenv("CELL_ROOT"), value.pointee != 0 { return String(cString: value) }
        return StoreLayout.defaultRoot
    }()

    /// Removes the leading global options from `arguments` and applies them.
    static func consume(from arguments: [String]) throws -> [String] {
        var rest = arguments[...]
        while let first = rest.first, first.hasPrefix("-") {
            if first == "--root" {
                guard rest.count >= 2 else { throw CellError.usage("flag needs an argument: --root") }
                root = rest[rest.index(after: rest.startIndex)]
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--root=") {
                root = String(first.dropFirst("--root=".count))
                rest = rest.dropFirst()
            } else if first == "-D" || first == "--debug" {
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        guard !root.isEmpty else { throw CellError.usage("--root needs a directory") }
        if !root.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
            if getcwd(&buffer, buffer.count) != nil {
                root = String(cString: buffer) + "/" + root
            }
        }
        return Array(rest)
    }

    static func imageStore() throws -> ImageStore {
        try ImageStore(root: root)
    }
}
