#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CellCore

// cell-monitor [--sync-fd N] [--attach] [--interactive] <container-dir>
//
// Starts the container described by <container-dir>/spec, keeps its stdio, writes its log and
// state, waits for it, cleans up, and exits (with the container's status under --attach).
var options = MonitorOptions()
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--sync-fd":
        guard let value = arguments.popFirst(), let fd = Int32(value), fd >= 0 else {
            printUsageError("--sync-fd needs a file descriptor number")
            exit(125)
        }
        options.syncDescriptor = fd
    case "--attach": options.attach = true
    case "--interactive", "-i": options.interactive = true
    default:
        if argument.hasPrefix("-") || !options.containerDirectory.isEmpty {
            printUsageError(nil)
            exit(125)
        }
        options.containerDirectory = argument
    }
}
if options.containerDirectory.isEmpty {
    printUsageError(nil)
    exit(125)
}
// A detached monitor must not pin the caller's working directory (or its mount).
if !options.containerDirectory.hasPrefix("/") {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    if getcwd(&buffer, buffer.count) != nil {
        let directory = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        options.containerDirectory = directory + "/" + options.containerDirectory
    }
}
_ = chdir("/")
exit(Monitor(options: options).run())

func printUsageError(_ problem: String?) {
    let text = (problem.map { "cell-monitor: \($0)\n" } ?? "")
        + "usage: cell-monitor [--sync-fd N] [--attach] [--interactive] <container-dir>\n"
    _ = Array(text.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
