#if canImport(Glibc)
import Glibc
#endif
import CellCore
import CellContainers
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
                root = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + root
            }
        }
        return Array(rest)
    }

    static func imageStore() throws -> ImageStore {
        try ImageStore(root: root)
    }

    static func containerStore() throws -> ContainerStore {
        try ContainerStore(layout: StoreLayout(root: root))
    }

    static func lifecycle() throws -> ContainerLifecycle {
        ContainerLifecycle(store: try containerStore(), monitorPath: monitorPath)
    }

    static func runner() -> ContainerRunner {
        ContainerRunner(root: root, monitorPath: monitorPath, initBinary: initPath)
    }

    /// cell-monitor beside this executable (CELL_MONITOR overrides, for tests).
    static var monitorPath: String {
        if let value = getenv("CELL_MONITOR"), value.pointee != 0 { return String(cString: value) }
        return besideExecutable("cell-monitor")
    }

    /// cell-service (`system service`: the Engine API) beside this executable.
    static var servicePath: String { besideExecutable("cell-service") }

    /// cell-init (for --init) beside this executable.
    static var initPath: String { besideExecutable("cell-init") }

    private static func besideExecutable(_ name: String) -> String {
        guard let executable = FileSystem.symlinkTarget("/proc/self/exe") else { return name }
        return FileSystem.dirname(of: executable) + "/" + name
    }
}
